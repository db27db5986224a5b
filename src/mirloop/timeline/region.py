"""Resolved regions: what a renderer plays, with every default filled in."""

from __future__ import annotations

from attrs import frozen

from mirloop.types import Descriptor, Instrument, Key

CUT, RINGOUT = "cut", "ringout"


@frozen
class RegionShape:
    """``intro`` and ``ending`` lengths in seconds, ``climax`` as a fraction 0–1 of the region."""

    intro: float
    ending: float
    climax: float


@frozen
class Region:
    """One region of music from ``start`` to ``end`` (seconds from the start of the piece).

    ``tempo`` is the BPM at ``start`` (inside the descriptor's range); ``tempo_changes`` lists
    later ``(time, bpm)`` changes within the region. ``instruments`` are the instruments playing
    at ``start`` (the descriptor's first band when the timeline names none; ``band`` is its name
    when the instruments are exactly one band); ``instrument_changes`` lists later
    ``(time, instruments)``. ``ending`` is ``"cut"`` (stop abruptly at ``end``) or ``"ringout"``
    (final notes from ``ringout_at`` ring to ``end``). ``random_tempo``/``random_instruments``
    ask the renderer to draw a tempo / band from the descriptor with its seed instead.
    ``instrumentation_threshold`` is the share (0–1) of the instruments that should play.
    """

    start: float
    end: float
    descriptor: Descriptor
    tempo: float
    key: Key
    instruments: tuple[Instrument, ...]
    ending: str
    shape: RegionShape
    id: int | None = None
    band: str | None = None
    instrument_groups: tuple[str, ...] = ()
    ringout_at: float | None = None
    random_tempo: bool = False
    random_instruments: bool = False
    instrumentation_threshold: float = 1.0
    tempo_changes: tuple[tuple[float, float], ...] = ()
    instrument_changes: tuple[tuple[float, tuple[Instrument, ...]], ...] = ()

    @property
    def duration(self) -> float:
        """Seconds."""
        return self.end - self.start

    @property
    def climax_time(self) -> float:
        """Seconds from the start of the piece where the climax falls."""
        return self.start + self.shape.climax * self.duration
