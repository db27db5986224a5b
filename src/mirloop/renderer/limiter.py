"""A look-ahead peak limiter with no per-sample Python loops.

The gain needed to keep each frame (``frame`` samples, and the half-sample points between
them, estimated by cubic interpolation) under the ceiling is spread with a
sliding minimum over ``window`` samples and smoothed with a moving average of the same length;
every averaged value comes from windows containing the frame, so the smoothed gain never lets a
peak through. Working on frames rather than samples keeps the cost small; the gain is constant
within a frame and changes by a fraction of its range from one frame to the next. The signal is
delayed by ``window`` samples to look ahead (the caller drops that many leading samples).
"""

from __future__ import annotations

import numpy as np

from mirloop.errors import InvalidValueError


class Limiter:
    """Keep ``(2, n)`` blocks (``n`` a multiple of ``frame``) under ``ceiling_db`` dBFS sample peak.

    ``window`` (samples, rounded to whole frames) is both the look-ahead and the release time.
    """

    def __init__(self, *, ceiling_db: float = -1.5, window: int = 1024, frame: int = 32) -> None:
        from scipy.ndimage import minimum_filter1d  # scipy loads when a render starts, not on import

        self._minimum_filter = minimum_filter1d
        self.ceiling = float(10 ** (ceiling_db / 20))
        self.frame = int(frame)
        self.frames = max(2, round(window / self.frame))  # window in frames
        w, size = self.frames, self.frames * self.frame
        self.signal_tail = np.zeros((2, size), dtype=np.float32)  # the last `window` input samples
        self.need_tail = np.ones(2 * w, dtype=np.float32)  # required gain of the last 2w frames
        self.min_tail = np.ones(w - 1, dtype=np.float32)  # last w-1 sliding minima (for the average)
        #: the gain applied to the last output block, per sample (to limit stems alike)
        self.last_gain = np.ones(0, dtype=np.float32)

    @property
    def latency(self) -> int:
        """Samples of delay between input and output."""
        return self.frames * self.frame

    def process(self, block: np.ndarray) -> np.ndarray:
        """Limit the next block; the output lags the input by :attr:`latency` samples."""
        f, w = self.frame, self.frames
        n = block.shape[1]
        if n % f:
            raise InvalidValueError(f"limiter blocks must be a multiple of {f} samples, got {n}")
        k = n // f
        level = np.abs(block)
        # half-sample points by cubic interpolation: catches most inter-sample (true) peaks
        middle = np.abs(9 * (block[:, 1:-2] + block[:, 2:-1]) - (block[:, :-3] + block[:, 3:])) / 16
        level[:, 1:-2] = np.maximum(level[:, 1:-2], middle)
        peak = level.reshape(2, k, f).max(axis=(0, 2))
        need = np.minimum(1.0, self.ceiling / np.maximum(peak, 1e-9)).astype(np.float32)
        needs = np.concatenate([self.need_tail, need])  # frame j ↔ input frame (t0 - 2w + j)
        # the minimum of frames [j, j + w - 1] sits at j + w // 2 of the centred filter
        centred = self._minimum_filter(needs, size=w, mode="nearest")
        # output frame i is input frame t0 - w + i (j = w + i); its gain averages the minima of the
        # w windows starting at t0 - 2w + i + 1 .. t0 - w + i, each of which contains that frame
        usable = centred[w + w // 2 : w + w // 2 + k]
        history = np.concatenate([self.min_tail, usable])
        cumulative = np.concatenate([[0.0], np.cumsum(history, dtype=np.float64)])
        gain = ((cumulative[w:] - cumulative[:-w]) / w).astype(np.float32)
        signal = np.concatenate([self.signal_tail, block], axis=1)
        delayed = signal[:, :n]
        self.last_gain = np.repeat(gain, f)
        out = delayed * self.last_gain[None, :]
        self.signal_tail = signal[:, n:]
        self.need_tail = needs[-2 * w :]
        self.min_tail = history[-(w - 1) :]
        return np.clip(out, -self.ceiling, self.ceiling)
