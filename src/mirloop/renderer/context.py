"""Everything a part generator reads about the region it plays in."""

from __future__ import annotations

import random

from attrs import frozen

from mirloop.renderer.form import Form
from mirloop.renderer.harmony import ChordSpan
from mirloop.renderer.meter import Meter
from mirloop.types import Style

#: Note length as a fraction of the written length, per articulation.
GATE = {"staccato": 0.35, "marcato": 0.6, "legato": 0.92, "sustained": 1.0}


def note_gate(articulation: str | None) -> float:
    """The share of its written length a note of ``articulation`` sounds (:data:`GATE`, else 0.9)."""
    return GATE.get(articulation or "", 0.9)


@frozen
class RegionContext:
    """A region's grid, form, chords and style (times in s, pitches as MIDI numbers); ``genre`` is the
    descriptor's genre, for the genre idioms (:mod:`mirloop.renderer.idioms`)."""

    style: Style
    meter: Meter
    form: Form
    spans: tuple[ChordSpan, ...]
    tonic: int
    harmony_scale: tuple[int, ...]
    melody_scale: tuple[int, ...]
    end: float
    momentum: int
    valence: int = 1
    percussion_only: bool = False
    genre: str = ""

    @property
    def minor(self) -> bool:
        """Whether the region's scale has a minor third."""
        return (self.harmony_scale[2] - self.harmony_scale[0]) % 12 == 3

    @property
    def gate(self) -> float:
        return note_gate(self.style.articulation)

    def velocity(self, bar: int, accent: float, rng: random.Random) -> int:
        """Velocity 1–127 from the style's dynamics, the bar's intensity and an accent in [-1, 1]."""
        level = self.form.intensity[bar] if bar < self.form.n_bars else 0.3
        base = 44 + 62 * self.style.dynamics
        value = base * (0.72 + 0.28 * level) + 14 * accent + rng.uniform(-4, 4)
        return int(max(1, min(127, round(value))))

    def span_time(self, span: ChordSpan) -> tuple[float, float]:
        """Start and end (s) of a chord span."""
        beat = self.meter.beat
        start = self.meter.start + (span.bar * self.meter.beats_per_bar + span.beat) * beat
        return start, start + span.beats * beat

    def spans_in_bar(self, bar: int) -> list[ChordSpan]:
        bpb = self.meter.beats_per_bar
        return [
            s
            for s in self.spans
            if s.bar * bpb + s.beat < (bar + 1) * bpb and s.bar * bpb + s.beat + s.beats > bar * bpb
        ]

    def chord_at(self, bar: int, beat: float) -> ChordSpan:
        """The chord sounding at ``beat`` (beats from the bar start) of ``bar``."""
        position = bar * self.meter.beats_per_bar + beat
        bpb = self.meter.beats_per_bar
        for span in self.spans:
            if span.bar * bpb + span.beat <= position + 1e-9 < span.bar * bpb + span.beat + span.beats:
                return span
        return self.spans[-1]
