"""Stereo width (mid/side) and peak level."""

from __future__ import annotations

import numpy as np


def widen(signal: np.ndarray, *, width: float) -> np.ndarray:
    """Scale the side signal ``(L − R)/2`` of a ``(2, n)`` signal by ``width``, the mid kept:
    the side-to-mid energy ratio changes by ``width²``."""
    out = np.empty_like(signal)
    mid, side = (signal[0] + signal[1]) / 2, (signal[0] - signal[1]) * (width / 2)
    np.add(mid, side, out=out[0])
    np.subtract(mid, side, out=out[1])
    return out


def set_peak(signal: np.ndarray, *, peak_dbfs: float) -> np.ndarray:
    """Scale ``signal`` so its largest absolute sample is ``peak_dbfs`` (silence stays silent)."""
    peak = float(np.max(np.abs(signal))) if signal.size else 0.0
    return signal * (10 ** (peak_dbfs / 20) / peak) if peak > 0 else signal
