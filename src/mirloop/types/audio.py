"""Audio samples with their sample rate."""

from __future__ import annotations

import numpy as np
from attrs import field, frozen

from mirloop.errors import AudioError
from mirloop.types.damage import AudioDamage


def _as_float32(samples: object) -> np.ndarray:
    array = np.asarray(samples, dtype=np.float32)
    if array.ndim not in (1, 2):
        raise AudioError(
            f"audio samples must be 1-D (mono) or 2-D (channels, samples), got shape {array.shape}"
        )
    return array


@frozen(eq=False)
class Audio:
    """Samples in [-1, 1] as float32, shape ``(n,)`` (mono) or ``(channels, n)``, at ``sr`` Hz.

    ``damage`` says what was wrong with the file they were decoded from, if anything.
    """

    samples: np.ndarray = field(converter=_as_float32)
    sr: int = field(converter=int)
    source: str | None = None
    damage: AudioDamage | None = None

    def __attrs_post_init__(self) -> None:
        if self.sr <= 0:
            raise AudioError(f"sample rate must be positive, got {self.sr}")

    @property
    def channels(self) -> int:
        return 1 if self.samples.ndim == 1 else int(self.samples.shape[0])

    @property
    def n_samples(self) -> int:
        return int(self.samples.shape[-1])

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.n_samples / self.sr

    def mono(self) -> Audio:
        """Mean over channels (a mono signal is returned as is)."""
        if self.samples.ndim == 1:
            return self
        return Audio(self.samples.mean(axis=0), self.sr, self.source, self.damage)
