"""Form within one piece: music21 tunes made of repeated strains, with the exact time of each strain.

Most tunes of the allowed ABC collections are written as strains between repeat signs
(``|: A :|: B :|``). music21 writes the repeats out (``expandRepeats``) in the order the render
plays them, and every measure keeps its number, so each measure of the performance belongs to one
strain of the score. A *section* is a run of measures of one strain: a strain played twice in a
row is one section (a repeat is the same music, and a segmenter that groups by repetition cannot
hear the seam), and the boundaries are where the strain changes. The times are exact: a section
starts at its first measure's offset, at the render's one tempo.
"""

from __future__ import annotations

from typing import Any

from devsets.annotated.compositions import first_part
from devsets.real_music.renders import RenderError

#: Labels of the strains, in the order the score writes them.
STRAIN_LABELS = "ABCDEFGH"


def strain_of_measures(score: Any, work: str) -> dict[int, int]:
    """The strain (0, 1, …) of every measure number of the score as written (repeats not expanded).

    A strain ends at an end-repeat barline, and a new one begins at a start-repeat barline once
    the strain before it holds a full measure (a pickup before the first ``|:`` belongs to ``A``).
    Raises :class:`RenderError` for a score that does not make two strains this way, that has
    first and second endings (their measures belong to two passes of one strain), or whose
    measure numbers repeat.
    """
    from music21 import bar, spanner

    if any(True for _ in score.recurse().getElementsByClass(spanner.RepeatBracket)):
        raise RenderError(f"{work}: first and second endings; strains not taken from such scores")
    strains: dict[int, int] = {}
    strain, ended, full_measures = 0, False, 0
    for measure in first_part(score).getElementsByClass("Measure"):
        left = measure.leftBarline
        starts = isinstance(left, bar.Repeat) and left.direction == "start"
        if ended or (starts and full_measures > 0):  # a pickup before the first |: stays in strain A
            strain, full_measures = strain + 1, 0
        if measure.number in strains:
            raise RenderError(f"{work}: measure number {measure.number} appears twice")
        strains[int(measure.number)] = strain
        full_measures += measure.duration.quarterLength >= measure.barDuration.quarterLength - 1e-9
        right = measure.rightBarline
        ended = isinstance(right, bar.Repeat) and right.direction == "end"
    if len(set(strains.values())) < 2:
        raise RenderError(f"{work}: one strain (no repeat sign between two strains)")
    return strains


def strain_sections(
    expanded: Any, strains: dict[int, int], *, seconds_per_quarter: float, end: float
) -> list[tuple[float, float, str]]:
    """``(start, end, label)`` of each section of the expanded score before ``end`` seconds: runs of
    measures of one strain, labelled ``A``, ``B``, … by strain. Raises :class:`RenderError` for a
    measure whose number the score as written does not have."""
    sections: list[tuple[float, float, str]] = []
    for measure in first_part(expanded).getElementsByClass("Measure"):
        start = float(measure.offset) * seconds_per_quarter
        if start >= end:
            break
        if int(measure.number) not in strains:
            raise RenderError(f"measure {measure.number} of the performance is not a measure of the score")
        label = STRAIN_LABELS[strains[int(measure.number)] % len(STRAIN_LABELS)]
        if not sections or sections[-1][2] != label:
            if sections:
                sections[-1] = (sections[-1][0], start, sections[-1][2])
            sections.append((start, end, label))
    return [(round(s, 6), round(e, 6), label) for s, e, label in sections]
