"""Saturation: a tanh waveshaper with level compensation."""

from __future__ import annotations

import numpy as np


def saturate(signal: np.ndarray, *, drive_db: float) -> np.ndarray:
    """``tanh(g·x)/g`` with ``g`` = ``drive_db`` as a gain: quiet passages keep their level (unity
    small-signal gain), peaks above about ``1/g`` are rounded off (0 dB drive is nearly clean)."""
    gain = 10 ** (drive_db / 20)
    shaped = np.tanh(signal * gain)
    shaped *= 1 / gain
    return shaped
