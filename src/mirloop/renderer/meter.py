"""Meter and feel: where beats, bars and subdivision steps fall in time.

Tempo counts beats: quarter notes in simple meters (``4/4``, ``3/4``), dotted quarters in
compound meters (``6/8``, ``12/8``) and eighths in odd ``x/8`` meters (``7/8``). A beat has
``steps`` subdivisions: 4 (sixteenths) in simple meters, 3 (eighths) in compound ones. Swing
moves the off-beat eighths to the last triplet of the beat.
"""

from __future__ import annotations

from attrs import frozen

from mirloop.errors import RenderError


@frozen
class Meter:
    """The time grid of one region (``start`` in s, ``tempo`` in BPM)."""

    start: float
    tempo: float
    beats_per_bar: int
    steps: int
    feel: str = "straight"

    @classmethod
    def of(cls, start: float, tempo: float, meter: tuple[int, int], feel: str) -> Meter:
        if tempo <= 0:
            raise RenderError(f"tempo must be positive, got {tempo} BPM")
        numerator, denominator = meter
        if numerator <= 0 or denominator not in (2, 4, 8, 16):
            raise RenderError(f"unsupported meter {numerator}/{denominator}")
        if denominator == 8 and numerator % 3 == 0 and numerator > 3:
            beats, steps = numerator // 3, 3
        elif denominator == 8:
            beats, steps = numerator, 2
        else:
            beats, steps = numerator, 4
        return cls(start, float(tempo), beats, steps, feel)

    @property
    def beat(self) -> float:
        """Seconds per beat."""
        return 60.0 / self.tempo

    @property
    def bar(self) -> float:
        """Seconds per bar."""
        return self.beat * self.beats_per_bar

    @property
    def steps_per_bar(self) -> int:
        return self.beats_per_bar * self.steps

    def step_time(self, bar: int, step: float) -> float:
        """Start time (s) of subdivision ``step`` (may be fractional) of ``bar``, with the feel applied."""
        beat_index, within = divmod(step, self.steps)
        fraction = within / self.steps
        if self.feel == "swing" and self.steps == 4:
            # straight 16ths 0, .25, .5, .75 -> triplet positions 0, 1/3, 2/3, 5/6
            fraction = {0.0: 0.0, 0.25: 1 / 3, 0.5: 2 / 3, 0.75: 5 / 6}.get(fraction, fraction)
        return self.start + (bar * self.beats_per_bar + beat_index + fraction) * self.beat

    def beat_times(self, end: float) -> list[float]:
        """Every beat from ``start`` up to (excluding) ``end``."""
        count = int((end - self.start) / self.beat + 1e-9)
        times = [self.start + i * self.beat for i in range(count + 1)]
        return [t for t in times if t < end - 1e-9]
