"""A look-ahead peak limiter with no per-sample Python loops.

The gain needed to keep each sample under the ceiling is spread with a sliding minimum over
``window`` samples and smoothed with a moving average of the same length; every averaged
value comes from a window containing the sample, so the smoothed gain never lets a peak
through. The signal is delayed by ``window`` samples to look ahead (the caller drops that
many leading samples).
"""

from __future__ import annotations

import numpy as np
from scipy.ndimage import minimum_filter1d


class Limiter:
    """Keep ``(2, n)`` blocks under ``ceiling_db`` dBFS (sample peak); ``window`` in samples."""

    def __init__(self, *, ceiling_db: float = -1.5, window: int = 1024) -> None:
        self.ceiling = float(10 ** (ceiling_db / 20))
        self.window = int(window)
        w = self.window
        self.signal_tail = np.zeros((2, 2 * w), dtype=np.float32)  # last 2w input samples
        self.need_tail = np.ones(2 * w, dtype=np.float32)  # required gain of those samples
        self.min_tail = np.ones(w - 1, dtype=np.float32)  # last w-1 sliding minima (for the average)
        #: the gain applied to the last output block (to apply the same limiting to stems)
        self.last_gain = np.ones(0, dtype=np.float32)

    @property
    def latency(self) -> int:
        """Samples of delay between input and output."""
        return self.window

    def process(self, block: np.ndarray) -> np.ndarray:
        """Limit the next block; the output lags the input by :attr:`latency` samples."""
        n, w = block.shape[1], self.window
        peak = np.max(np.abs(block), axis=0)
        need = np.minimum(1.0, self.ceiling / np.maximum(peak, 1e-9)).astype(np.float32)
        needs = np.concatenate([self.need_tail, need])  # index j ↔ input sample (t0 - 2w + j)
        # the minimum of the window [j, j + w - 1] sits at j + w // 2 of the centred filter
        centred = minimum_filter1d(needs, size=w, mode="nearest")
        # output sample k is input sample t0 - w + k (j = w + k); its gain averages the minima of the
        # w windows starting at t0 - 2w + k + 1 .. t0 - w + k, each of which contains that sample
        usable = centred[w + w // 2: w + w // 2 + n]
        history = np.concatenate([self.min_tail, usable])
        cumulative = np.concatenate([[0.0], np.cumsum(history, dtype=np.float64)])
        gain = ((cumulative[w:] - cumulative[:-w]) / w).astype(np.float32)
        signal = np.concatenate([self.signal_tail, block], axis=1)
        delayed = signal[:, w: w + n]
        out = delayed * gain[None, :]
        self.last_gain = gain
        self.signal_tail = signal[:, -2 * w:]
        self.need_tail = needs[-2 * w:]
        self.min_tail = history[-(w - 1):]
        return np.clip(out, -self.ceiling, self.ceiling)
