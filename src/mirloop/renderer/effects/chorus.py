"""Chorus: a copy delayed by a sine-modulated fractional delay, mixed with the dry signal."""

from __future__ import annotations

import numpy as np

#: Centre delay (s) and the delay swing at depth 1 (s): depth 0.4 sweeps 6–14 ms.
CENTRE_DELAY = 0.010
FULL_SWING = 0.010
#: LFO phase of the left and right channel (radians): in quadrature, for a wider image.
CHANNEL_PHASES = (0.0, np.pi / 2)


class Chorus:
    """``(1 − mix)·x + mix·x(t − d(t))`` with ``d(t) = CENTRE_DELAY + depth·FULL_SWING·sin(2π·rate·t + φ)``
    read by linear interpolation. The LFO follows the absolute sample index passed to
    :meth:`process`, and the last samples of each block are kept for the next, so any split into
    blocks gives the same output."""

    def __init__(self, sr: int, *, rate_hz: float, depth: float, mix: float) -> None:
        self.sr, self.rate_hz, self.mix = sr, rate_hz, mix
        self.centre, self.swing = CENTRE_DELAY * sr, depth * FULL_SWING * sr
        self.history = np.zeros((2, int(np.ceil(self.centre + self.swing)) + 2))

    def process(self, block: np.ndarray, start: int) -> np.ndarray:
        n = block.shape[1]
        kept = self.history.shape[1]
        joined = np.concatenate([self.history, block.astype(np.float64)], axis=1)
        index = np.arange(start, start + n, dtype=np.float64)
        out = np.empty((2, n))
        for channel, phase in enumerate(CHANNEL_PHASES):
            delay = self.centre + self.swing * np.sin(2 * np.pi * self.rate_hz * index / self.sr + phase)
            whole = np.floor(delay)
            frac = delay - whole  # x(t − d) between x[t − ⌊d⌋] and x[t − ⌊d⌋ − 1]
            newer = kept + np.arange(n) - whole.astype(np.int64)
            wet = (1 - frac) * joined[channel, newer] + frac * joined[channel, newer - 1]
            out[channel] = (1 - self.mix) * joined[channel, kept:] + self.mix * wet
        self.history = joined[:, -kept:]
        return out.astype(np.float32)
