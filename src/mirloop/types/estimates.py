"""Tempo, key and form estimates for one track."""

from __future__ import annotations

import numpy as np
from attrs import field, frozen

from mirloop.errors import InvalidValueError, SpellingError

#: The tonic spelling of each pitch class 0–11, as :class:`Key` stores it.
PITCH_CLASSES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MODES = ("major", "minor")
#: The other spellings :class:`Key` accepts and folds to :data:`PITCH_CLASSES` (``"G#"`` -> ``"Ab"``).
ENHARMONIC_TONICS: dict[str, str] = {
    "B#": "C", "Db": "C#", "D#": "Eb", "Fb": "E", "E#": "F", "Gb": "F#", "G#": "Ab", "A#": "Bb", "Cb": "B",
}


def _floats(values: object) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def _doc(text: str) -> dict[str, str]:
    """Field metadata: the one-line description docs/hooks.md shows for the field."""
    return {"doc": text}


def _tonic(name: str) -> str:
    """A tonic in its :data:`PITCH_CLASSES` spelling (enharmonic spellings folded); others unchanged."""
    return ENHARMONIC_TONICS.get(name, name) if isinstance(name, str) else name


@frozen(eq=False)
class TempoEstimate:
    """Static tempo of the track and per window, plus a tempo curve.

    ``bpm`` is beats per minute; ``window_bpm[i]`` belongs to window ``i`` of the grid;
    ``curve_times``/``curve_bpm`` sample the local tempo over time (seconds, BPM).
    """

    bpm: float = field(metadata=_doc("tempo of the whole track, BPM"))
    confidence: float = field(metadata=_doc("confidence of `bpm`, in [0, 1]"))
    window_bpm: np.ndarray = field(
        converter=_floats, metadata=_doc("one BPM per window of `ctx.grid`, shape `(n_windows,)`"))
    curve_times: np.ndarray = field(
        converter=_floats, factory=lambda: np.zeros(0), metadata=_doc("times of the tempo curve, seconds"))
    curve_bpm: np.ndarray = field(converter=_floats, factory=lambda: np.zeros(0),
                                  metadata=_doc("local tempo at each of `curve_times`, BPM (same shape)"))
    beats: np.ndarray = field(converter=_floats, factory=lambda: np.zeros(0),
                              metadata=_doc("sorted beat times inside the track, seconds"))


@frozen
class Key:
    """A key: tonic and mode. ``Key("G#", "minor")`` is ``Key("Ab", "minor")``.

    The tonic is stored in its :data:`PITCH_CLASSES` spelling; the enharmonic spellings of
    :data:`ENHARMONIC_TONICS` are accepted and folded. :meth:`from_pitch_class` builds a key from
    a pitch class 0–11.
    """

    tonic: str = field(converter=_tonic, metadata=_doc(
        f"one of {', '.join(PITCH_CLASSES)}; also accepted and folded: "
        + ", ".join(f"{other} → {name}" for other, name in ENHARMONIC_TONICS.items())))
    mode: str = field(metadata=_doc("`major` or `minor`"))

    def __attrs_post_init__(self) -> None:
        if self.tonic not in PITCH_CLASSES:
            spellings = ", ".join((*PITCH_CLASSES, *ENHARMONIC_TONICS))
            raise SpellingError(f"unknown tonic {self.tonic!r}; use one of {spellings}, "
                             "or Key.from_pitch_class(0-11, mode)")
        if self.mode not in MODES:
            raise InvalidValueError(f"unknown mode {self.mode!r}; use 'major' or 'minor'")

    @classmethod
    def from_pitch_class(cls, pitch_class: int, mode: str) -> Key:
        """The key whose tonic is pitch class ``pitch_class`` (0 = C, 1 = C#, up to 11 = B; modulo 12)."""
        return cls(PITCH_CLASSES[int(pitch_class) % 12], mode)

    @property
    def pitch_class(self) -> int:
        """The tonic's pitch class, 0 (C) to 11 (B)."""
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

    key: Key = field(metadata=_doc("key of the whole track"))
    confidence: float = field(metadata=_doc("confidence of `key`, in [0, 1]"))
    window_keys: tuple[Key, ...] = field(metadata=_doc("one `Key` per window of `ctx.grid`"))
    window_confidence: np.ndarray = field(
        converter=_floats, metadata=_doc("confidence of each window's key, in [0, 1], shape `(n_windows,)`"))


@frozen
class Segment:
    """A form section ``[start, end)`` in seconds with a label such as ``A``, ``B``, ``A'``."""

    start: float = field(metadata=_doc("start, seconds"))
    end: float = field(metadata=_doc("end (exclusive), seconds; after `start`"))
    label: str = field(
        metadata=_doc("section type such as `A`, `B` or `A'`; equal labels mean the same material"))

    @property
    def duration(self) -> float:
        """``end - start``, seconds."""
        return self.end - self.start


@frozen
class Segmentation:
    """Consecutive segments covering the track, and how many distinct section types were chosen."""

    segments: tuple[Segment, ...] = field(
        metadata=_doc("consecutive `Segment`s from 0 to the end of the track"))
    n_clusters: int = field(metadata=_doc("how many section types the segmenter chose, at least 1"))
    method: str = field(default="", metadata=_doc("free text: how the segments were found"))

    @property
    def boundaries(self) -> np.ndarray:
        """Inner boundary times (excluding 0 and the end)."""
        return np.array([s.start for s in self.segments[1:]], dtype=np.float64)

    @property
    def intervals(self) -> np.ndarray:
        """``(n_segments, 2)`` start and end times, seconds."""
        return np.array([[s.start, s.end] for s in self.segments], dtype=np.float64)

    @property
    def labels(self) -> list[str]:
        """The label of each segment."""
        return [s.label for s in self.segments]
