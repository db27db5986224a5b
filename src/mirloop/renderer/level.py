"""Master gain: probe-render a few seconds at each region's climax and aim them at a target RMS.

Done before the main pass so that the render streams in one pass (memory flat in length)
while keeping its dynamic shape: the loudest climax sits at the target and quieter sections
stay quieter. A render of several descriptors is levelled per section (:func:`sections`), so
that every section sits where a render of its descriptor alone would.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from mirloop.renderer.channels import Channel
from mirloop.renderer.score import Note, Part, Score
from mirloop.renderer.synth import BlockSynth, part_events
from mirloop.renderer.voice_synth import NoteCache, VoiceSynth

PROBE_LEAD = 0.75  # s rendered before the measured stretch, so that sustained notes are sounding
PROBE_LENGTH = 2.0  # s measured
MAX_PROBES = 2


def _excerpt(part: Part, start: float, stop: float) -> Part:
    notes = tuple(
        Note(n.start - start, n.end - start, n.pitch, n.velocity)
        for n in part.notes
        if start <= n.start < stop
    )
    cut = None if part.cut is None else part.cut - start
    return Part(part.instrument, part.region, notes, cut)


def sections(descriptors: Sequence[str]) -> list[tuple[int, ...]]:
    """Runs of consecutive regions with the same descriptor (a region split at tempo or
    instrument changes is one section), as tuples of region indices."""
    runs: list[list[int]] = []
    for index, name in enumerate(descriptors):
        if runs and descriptors[runs[-1][-1]] == name:
            runs[-1].append(index)
        else:
            runs.append([index])
    return [tuple(run) for run in runs]


class ScoreIndex:
    """What the probes look up in a score, computed once: notes per region, and the first and
    last note onset of each part (so a probe excerpts only the parts sounding in it, and
    levelling many sections stays linear in the score's size)."""

    def __init__(self, score: Score) -> None:
        n_regions = max(len(score.climaxes), 1 + max((p.region for p in score.parts), default=-1))
        self.notes_per_region = np.zeros(n_regions, dtype=np.int64)
        self.first = np.full(len(score.parts), np.inf)
        self.last = np.full(len(score.parts), -np.inf)
        for index, part in enumerate(score.parts):
            self.notes_per_region[part.region] += len(part.notes)
            if part.notes:
                onsets = [n.start for n in part.notes]
                self.first[index], self.last[index] = min(onsets), max(onsets)

    def parts_between(self, start: float, stop: float) -> np.ndarray:
        """Indices of the parts with a note starting in ``[start, stop)`` (and perhaps a few more)."""
        return np.flatnonzero((self.first < stop) & (self.last >= start))


def probe_rms(
    score: Score,
    channels: list[Channel],
    soundfont: Path,
    sr: int,
    regions: Sequence[int] | None = None,
    *,
    index: ScoreIndex | None = None,
    voices: Sequence[str | None] | None = None,
    seed: int = 0,
    cache: NoteCache | None = None,
) -> float:
    """The highest RMS (linear) among short probe renders at the climaxes of ``regions`` (all
    regions by default; the :data:`MAX_PROBES` with the most notes are probed). ``index`` is the
    score's :class:`ScoreIndex`, made here when not given. Parts with a ``voices`` entry play on
    the NumPy voices (seeded by ``seed``), as in the render, their notes kept in ``cache`` (the
    render's :class:`~mirloop.renderer.voice_synth.NoteCache`, so the render reuses them)."""
    index = ScoreIndex(score) if index is None else index
    candidates = range(len(score.climaxes)) if regions is None else regions
    regions = sorted(candidates, key=lambda r: -int(index.notes_per_region[r]))[:MAX_PROBES]
    loudest = 0.0
    for region in regions:
        centre = score.climaxes[region]
        start = max(0.0, min(centre, score.duration - PROBE_LENGTH) - PROBE_LEAD)
        stop = start + PROBE_LEAD + PROBE_LENGTH
        nearby = index.parts_between(start, stop)
        voiced = [i for i in nearby if voices is not None and voices[i] is not None]
        sounding = [i for i in nearby if voices is None or voices[i] is None]
        parts = tuple(_excerpt(score.parts[i], start, stop) for i in sounding)
        frames = round((stop - start) * sr)
        events = part_events(parts, [channels[i] for i in sounding], sr, frames)
        with BlockSynth(soundfont, sr, events) as synth:
            audio = synth.render(frames)[int(PROBE_LEAD * sr) :]
        if voiced and voices is not None:
            excerpts = [_excerpt(score.parts[i], start, stop) for i in voiced]
            names = [voices[i] or "" for i in voiced]
            with VoiceSynth(
                excerpts, names, sr, frames, seed=seed, keys=voiced, cache=cache
            ) as voice_synth:
                audio = audio + voice_synth.render(frames)[int(PROBE_LEAD * sr) :]
        if audio.size:
            loudest = max(loudest, float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))))
    return loudest


def master_gain(
    score: Score,
    channels: list[Channel],
    soundfont: Path,
    sr: int,
    target_db: float,
    regions: Sequence[int] | None = None,
    *,
    index: ScoreIndex | None = None,
    voices: Sequence[str | None] | None = None,
    seed: int = 0,
    cache: NoteCache | None = None,
) -> float:
    """Linear gain putting the loudest climax (of ``regions``, default all) at ``target_db`` dBFS
    RMS (limited to ±30 dB); ``index``, ``voices``, ``seed`` and ``cache`` as in :func:`probe_rms`."""
    rms = probe_rms(
        score, channels, soundfont, sr, regions, index=index, voices=voices, seed=seed, cache=cache
    )
    if rms <= 1e-6:
        return 1.0
    return float(np.clip(10 ** (target_db / 20) / rms, 10 ** (-30 / 20), 10 ** (30 / 20)))
