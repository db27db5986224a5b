"""What a render returns: audio, MIDI, optional stems and the ground truth of every region."""

from __future__ import annotations

from typing import Any

import numpy as np
from attrs import field, frozen

from mirloop.model import Audio, Key


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

    beats: np.ndarray = field(converter=_floats)
    regions: tuple[RegionTruth, ...]
    duration: float

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

    audio: Audio
    midi: bytes
    truth: GroundTruth
    seed: int
    stems: dict[str, Audio] | None = None
    soundfont: str = ""
    augmentation: dict[str, Any] | None = None

    @property
    def pretty_midi(self) -> Any:
        """The MIDI as a ``pretty_midi.PrettyMIDI`` object (parsed on each access)."""
        import io

        import pretty_midi

        return pretty_midi.PrettyMIDI(io.BytesIO(self.midi))

    @property
    def duration(self) -> float:
        return self.audio.duration
