"""Tempo, key and form estimates for one track."""

from __future__ import annotations

import numpy as np
from attrs import field, frozen

PITCH_CLASSES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MODES = ("major", "minor")


def _floats(values: object) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


@frozen(eq=False)
class TempoEstimate:
    """Static tempo of the track and per window, plus a tempo curve.

    ``bpm`` is beats per minute; ``window_bpm[i]`` belongs to window ``i`` of the grid;
    ``curve_times``/``curve_bpm`` sample the local tempo over time (seconds, BPM).
    """

    bpm: float
    confidence: float
    window_bpm: np.ndarray = field(converter=_floats)
    curve_times: np.ndarray = field(converter=_floats, factory=lambda: np.zeros(0))
    curve_bpm: np.ndarray = field(converter=_floats, factory=lambda: np.zeros(0))
    beats: np.ndarray = field(converter=_floats, factory=lambda: np.zeros(0))


@frozen
class Key:
    """A key: tonic pitch class name (``C``, ``F#``, ``Bb``…) and mode (``major``/``minor``)."""

    tonic: str
    mode: str

    def __attrs_post_init__(self) -> None:
        if self.tonic not in PITCH_CLASSES:
            raise ValueError(f"unknown tonic {self.tonic!r}; use one of {', '.join(PITCH_CLASSES)}")
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}; use 'major' or 'minor'")

    @property
    def pitch_class(self) -> int:
        return PITCH_CLASSES.index(self.tonic)

    @property
    def jams_value(self) -> str:
        """The ``key_mode`` namespace spelling, e.g. ``"A:minor"``."""
        return f"{self.tonic}:{self.mode}"

    def __str__(self) -> str:
        return f"{self.tonic} {self.mode}"


@frozen(eq=False)
class KeyEstimate:
    """Key of the track and per window, each with a confidence in [0, 1]."""

    key: Key
    confidence: float
    window_keys: tuple[Key, ...]
    window_confidence: np.ndarray = field(converter=_floats)


@frozen
class Segment:
    """A form section ``[start, end)`` in seconds with a label such as ``A``, ``B``, ``A'``."""

    start: float
    end: float
    label: str

    @property
    def duration(self) -> float:
        return self.end - self.start


@frozen
class Segmentation:
    """Consecutive segments covering the track, and how many distinct section types were chosen."""

    segments: tuple[Segment, ...]
    n_clusters: int
    method: str = ""

    @property
    def boundaries(self) -> np.ndarray:
        """Inner boundary times (excluding 0 and the end)."""
        return np.array([s.start for s in self.segments[1:]], dtype=np.float64)

    @property
    def intervals(self) -> np.ndarray:
        return np.array([[s.start, s.end] for s in self.segments], dtype=np.float64)

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.segments]
