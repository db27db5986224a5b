"""Chord sequence of a region and voice-led voicings.

The progression repeats over the body of the region at the style's harmonic rhythm (bars per
chord); intro and outro sit on the tonic so that the key is stated at both ends.
"""

from __future__ import annotations

import itertools
import random

from attrs import frozen

from mirloop.renderer.theory import Chord, add_colour, in_other_mode, open_chord, parse_numeral


@frozen
class ChordSpan:
    """A chord from ``bar + beat`` for ``beats`` beats (bar-relative beat positions)."""

    bar: int
    beat: float
    beats: float
    chord: Chord


def chord_spans(
    progression: tuple[str, ...],
    tonic: int,
    scale: tuple[int, ...],
    n_bars: int,
    beats_per_bar: int,
    harmonic_rhythm: float,
    dissonance: float,
    sections: tuple[str, ...],
    rng: random.Random,
    open_harmony: bool = False,
    home: tuple[int, ...] | None = None,
) -> list[ChordSpan]:
    """The chords of ``n_bars`` bars: the progression cycled in the body, the tonic in intro/outro;
    with ``open_harmony`` every chord leaves its third out (:func:`open_chord`).

    ``home`` is the scale the progression is written in (default ``scale``); when its third is not
    ``scale``'s, the progression is played in the key's mode (:func:`in_other_mode`).
    """

    def realise(symbol: str) -> Chord:
        if home is None or home[2] == scale[2]:
            chord = parse_numeral(symbol, tonic, scale)
        else:
            chord = in_other_mode(parse_numeral(symbol, tonic, home), tonic, home, scale)
        return open_chord(chord, scale, tonic) if open_harmony else chord

    tonic_numeral = "I" if (scale[2] - scale[0]) % 12 == 4 else "i"
    tonic_chord = realise(tonic_numeral)
    chords = [add_colour(realise(s), scale, tonic, dissonance, rng.random()) for s in progression] or [
        tonic_chord
    ]
    beats_per_chord = max(1.0, harmonic_rhythm * beats_per_bar)
    spans: list[ChordSpan] = []
    position = 0.0  # in beats from the region start
    index = 0
    total = n_bars * beats_per_bar
    outro_bars = [b for b, name in enumerate(sections) if name == "outro"]
    outro_start = float(outro_bars[0] * beats_per_bar) if outro_bars else float(total)
    while position < total - 1e-9:
        bar = int(position // beats_per_bar)
        section = sections[bar] if bar < len(sections) else "outro"
        if section in ("intro", "outro"):
            chord, length = tonic_chord, float(beats_per_bar - position % beats_per_bar)
        else:
            chord, length = chords[index % len(chords)], beats_per_chord
            index += 1
        length = min(length, total - position)
        if position < outro_start < position + length:
            length = outro_start - position
        spans.append(ChordSpan(bar, position - bar * beats_per_bar, length, chord))
        position += length
    return spans


def voice(
    chord: Chord, previous: tuple[int, ...] | None, low: int, high: int, voices: int
) -> tuple[int, ...]:
    """MIDI pitches for ``chord`` with ``voices`` notes in ``[low, high]``, moving least from ``previous``.

    Candidates are the chord's close-position inversions (root, third and fifth kept first,
    extensions when there is room) at every octave that fits; the nearest wins, ties to the lower.
    """
    tones = list(chord.tones[:voices]) if len(chord.tones) >= voices else _doubled(chord.tones, voices)
    candidates: list[tuple[int, ...]] = []
    for rotation in range(len(tones)):
        order = tones[rotation:] + tones[:rotation]
        for base in range(low, high + 1):
            if base % 12 != order[0]:
                continue
            pitches = [base]
            for pc in order[1:]:
                nxt = pitches[-1] + ((pc - pitches[-1]) % 12 or 12)
                pitches.append(nxt)
            if pitches[-1] <= high:
                candidates.append(tuple(pitches))
    if not candidates:
        centre = (low + high) // 2
        return tuple(sorted(centre - (centre - pc) % 12 for pc in tones))
    if previous is None:
        middle = (low + high) / 2
        return min(candidates, key=lambda c: (abs(sum(c) / len(c) - middle), c))
    return min(candidates, key=lambda c: (_distance(c, previous), c))


def _distance(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    if len(a) == len(b):
        return sum(abs(x - y) for x, y in zip(sorted(a), sorted(b)))
    return sum(min(abs(x - y) for y in b) for x in a)


def _doubled(tones: tuple[int, ...], voices: int) -> list[int]:
    cycle = itertools.cycle(tones)
    return [next(cycle) for _ in range(voices)]
