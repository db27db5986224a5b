"""Drum patterns of a style: ``"kick:x...x... snare:....x..."``.

A pattern string holds space-separated ``voice:steps`` parts. Each step is one sixteenth note
(so a 4/4 bar has 16 steps and a 6/8 bar 12); ``x`` is a hit, ``o`` a ghost note (soft hit) and
``.`` a rest. A pattern may span several bars; every voice of one pattern has the same length.
Voices map to General MIDI percussion keys (channel 10) through :data:`DRUM_NOTES`.
"""

from __future__ import annotations

from attrs import frozen

from mirloop.errors import RhythmError

#: Drum voice -> General MIDI percussion key number.
DRUM_NOTES: dict[str, int] = {
    "kick": 36,
    "rim": 37,
    "snare": 38,
    "clap": 39,
    "hat": 42,
    "ohat": 46,
    "tom_low": 45,
    "tom_mid": 47,
    "tom_high": 50,
    "crash": 49,
    "ride": 51,
    "tambourine": 54,
    "cowbell": 56,
    "bongo": 60,
    "conga": 63,
    "shaker": 70,
    "claves": 75,
    "woodblock": 76,
    "triangle": 81,
}

HIT, GHOST, REST = "x", "o", "."


@frozen
class Pattern:
    """A parsed drum pattern: ``voices`` maps a voice name to its step string."""

    voices: dict[str, str]

    @property
    def steps(self) -> int:
        """Number of sixteenth-note steps in the pattern."""
        return len(next(iter(self.voices.values())))

    def hits(self) -> list[tuple[int, int, float]]:
        """``(step, GM key, velocity 0–1)`` for every hit, in step order (ghost notes at 0.4)."""
        out = [
            (i, DRUM_NOTES[voice], 1.0 if c == HIT else 0.4)
            for voice, steps in self.voices.items()
            for i, c in enumerate(steps)
            if c != REST
        ]
        return sorted(out)

    def bars(self, meter: tuple[int, int], beats_per_bar: int) -> tuple[tuple[float, ...], ...]:
        """Bar by bar, the positions (in beats from the bar start) where any voice hits."""
        per_bar = steps_per_bar(meter)
        per_beat = per_bar / beats_per_bar
        onsets = sorted({step for step, _, _ in self.hits()})
        return tuple(
            tuple((step - first) / per_beat for step in onsets if first <= step < first + per_bar)
            for first in range(0, self.steps, per_bar)
        )


def steps_per_bar(meter: tuple[int, int]) -> int:
    """Sixteenth-note steps in one bar of ``meter`` (numerator, denominator)."""
    numerator, denominator = meter
    return numerator * 16 // denominator


def parse_rhythm(text: str, meter: tuple[int, int] = (4, 4)) -> Pattern:
    """Parse a pattern string; raises ``ValueError`` saying what is wrong.

    Checks that voices are known, steps use only ``x``, ``o`` and ``.``, all voices have the same
    length and that length is a whole number of bars of ``meter``.
    """
    voices: dict[str, str] = {}
    for part in text.split():
        voice, sep, steps = part.partition(":")
        if not sep or not steps:
            raise RhythmError(f"rhythm part {part!r} is not voice:steps")
        if voice not in DRUM_NOTES:
            raise RhythmError(f"unknown drum voice {voice!r}; use one of {', '.join(DRUM_NOTES)}")
        if set(steps) - {HIT, GHOST, REST}:
            raise RhythmError(f"rhythm steps {steps!r} may only contain 'x', 'o' and '.'")
        voices[voice] = steps
    if not voices:
        raise RhythmError("empty rhythm")
    lengths = {len(s) for s in voices.values()}
    if len(lengths) != 1:
        raise RhythmError(f"rhythm {text!r}: voices have different lengths {sorted(lengths)}")
    length = lengths.pop()
    bar = steps_per_bar(meter)
    if length % bar:
        raise RhythmError(f"rhythm {text!r}: {length} steps is not a whole number of "
                         f"{meter[0]}/{meter[1]} bars ({bar} steps each)")
    return Pattern(voices)
