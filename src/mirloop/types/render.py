"""What a render returns: audio, MIDI, optional stems and the ground truth of every region (the
renderer stage's result type; every renderer backend returns a :class:`RenderResult`)."""

from __future__ import annotations

from typing import Any

import numpy as np
from attrs import field, frozen

from mirloop.types.audio import Audio
from mirloop.types.estimates import Key


def _doc(text: str) -> dict[str, str]:
    """Field metadata read by :mod:`mirloop.hookdocs` for docs/hooks.md."""
    return {"doc": text}


def _floats(values: object) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


@frozen
class RegionTruth:
    """The ground truth of one region: ``[start, end)`` in s, tempo in BPM, key (``None`` when the
    region plays no pitched notes), meter, descriptor name and band name."""

    index: int
    start: float
    end: float
    descriptor: str
    band: str
    tempo: float
    key: Key | None
    meter: tuple[int, int]
    scale: str
    instruments: tuple[str, ...]


@frozen(eq=False)
class GroundTruth:
    """Beat times (s) over the whole render and one :class:`RegionTruth` per region."""

    beats: np.ndarray = field(converter=_floats, metadata=_doc("beat times over the whole render, seconds"))
    regions: tuple[RegionTruth, ...] = field(
        metadata=_doc("one `RegionTruth` per region (may be empty when the renderer knows none)"))
    duration: float = field(metadata=_doc("length of the render, seconds"))

    @property
    def boundaries(self) -> np.ndarray:
        """Region start times after the first (s)."""
        return np.array([r.start for r in self.regions[1:]], dtype=np.float64)


@frozen(eq=False)
class RenderResult:
    """A finished render.

    ``audio`` is stereo float32 at the render's sample rate; ``midi`` the Standard MIDI File
    bytes; ``stems`` maps an instrument name (``pick_bass``, ``drum_kit``…) to its dry stereo
    stem (same length as ``audio``) when stems were asked for; ``truth`` the ground truth;
    ``seed`` the seed used; ``soundfont`` the font's path; ``augmentation`` the domain-randomisation
    draw (:meth:`mirloop.renderer.randomize.ChainParams.to_dict`), ``None`` when not randomised.
    """

    audio: Audio = field(metadata=_doc("the render, lasting the timeline's duration"))
    midi: bytes = field(metadata=_doc("Standard MIDI File bytes (`b\"\"` when the renderer writes none)"))
    truth: GroundTruth = field(metadata=_doc("beats and per-region ground truth"))
    seed: int = field(metadata=_doc("the seed used; the same seed gives the same audio"))
    stems: dict[str, Audio] | None = field(
        default=None, metadata=_doc("dry stereo stem per instrument, when stems were asked for"))
    soundfont: str = field(default="", metadata=_doc("path of the SoundFont used, if any"))
    augmentation: dict[str, Any] | None = field(
        default=None, metadata=_doc("the domain-randomisation draw, `None` when not randomised"))

    @property
    def pretty_midi(self) -> Any:
        """The MIDI as a ``pretty_midi.PrettyMIDI`` object (parsed on each access)."""
        import io

        import pretty_midi

        return pretty_midi.PrettyMIDI(io.BytesIO(self.midi))

    @property
    def duration(self) -> float:
        """Length of ``audio``, seconds."""
        return self.audio.duration
