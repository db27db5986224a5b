"""The composed score: notes per part, in seconds from the start of the render."""

from __future__ import annotations

from collections.abc import Iterable

from attrs import field, frozen

from mirloop.types import Instrument


@frozen
class Note:
    """One note: ``start``/``end`` in seconds, MIDI ``pitch`` 0–127, ``velocity`` 1–127."""

    start: float
    end: float
    pitch: int
    velocity: int


def _notes(values: Iterable[Note]) -> tuple[Note, ...]:
    return tuple(values)


def _parts(values: Iterable[Part]) -> tuple[Part, ...]:
    return tuple(values)


def _floats(values: Iterable[float]) -> tuple[float, ...]:
    return tuple(float(v) for v in values)


@frozen
class Part:
    """The notes one instrument plays in one region.

    ``region`` indexes the render's regions; ``cut`` is the time (s) after which the part's sound is
    stopped with a short fade (hard cut), or ``None`` when its notes ring out; ``gain`` scales the
    part's mix level (the genre production's balance; 1 otherwise).
    """

    instrument: Instrument
    region: int
    notes: tuple[Note, ...] = field(converter=_notes)
    cut: float | None = None
    gain: float = 1.0

    @property
    def role(self) -> str:
        return "percussion" if self.instrument.drums else self.instrument.role


@frozen
class Score:
    """Every part of a render, its total length and each region's climax time (all in seconds)."""

    parts: tuple[Part, ...] = field(converter=_parts)
    duration: float
    climaxes: tuple[float, ...] = field(converter=_floats, default=())
