"""Shelving and peaking EQ: the biquads of R. Bristow-Johnson's "Audio EQ Cookbook"."""

from __future__ import annotations

import numpy as np


def _normalised(b: tuple[float, float, float], a: tuple[float, float, float]) -> np.ndarray:
    return np.array([*b, *a], dtype=np.float64) / a[0]


def low_shelf(freq: float, gain_db: float, sr: int) -> np.ndarray:
    """One second-order section (``b0 b1 b2 a0 a1 a2``): ``gain_db`` below ``freq`` (the shelf's
    midpoint, where the gain is half of it in dB), unity above; shelf slope 1."""
    a_lin = 10 ** (gain_db / 40)
    w0 = 2 * np.pi * freq / sr
    cos, alpha = np.cos(w0), np.sin(w0) / 2 * np.sqrt(2)
    root = 2 * np.sqrt(a_lin) * alpha
    b = (
        a_lin * ((a_lin + 1) - (a_lin - 1) * cos + root),
        2 * a_lin * ((a_lin - 1) - (a_lin + 1) * cos),
        a_lin * ((a_lin + 1) - (a_lin - 1) * cos - root),
    )
    a = (
        (a_lin + 1) + (a_lin - 1) * cos + root,
        -2 * ((a_lin - 1) + (a_lin + 1) * cos),
        (a_lin + 1) + (a_lin - 1) * cos - root,
    )
    return _normalised(b, a)


def high_shelf(freq: float, gain_db: float, sr: int) -> np.ndarray:
    """One second-order section: ``gain_db`` above ``freq`` (half of it, in dB, at ``freq``)."""
    a_lin = 10 ** (gain_db / 40)
    w0 = 2 * np.pi * freq / sr
    cos, alpha = np.cos(w0), np.sin(w0) / 2 * np.sqrt(2)
    root = 2 * np.sqrt(a_lin) * alpha
    b = (
        a_lin * ((a_lin + 1) + (a_lin - 1) * cos + root),
        -2 * a_lin * ((a_lin - 1) + (a_lin + 1) * cos),
        a_lin * ((a_lin + 1) + (a_lin - 1) * cos - root),
    )
    a = (
        (a_lin + 1) - (a_lin - 1) * cos + root,
        2 * ((a_lin - 1) - (a_lin + 1) * cos),
        (a_lin + 1) - (a_lin - 1) * cos - root,
    )
    return _normalised(b, a)


def peaking(freq: float, gain_db: float, q: float, sr: int) -> np.ndarray:
    """One second-order section: ``gain_db`` exactly at ``freq``, bandwidth set by ``q``."""
    a_lin = 10 ** (gain_db / 40)
    w0 = 2 * np.pi * freq / sr
    cos, alpha = np.cos(w0), np.sin(w0) / (2 * q)
    b = (1 + alpha * a_lin, -2 * cos, 1 - alpha * a_lin)
    a = (1 + alpha / a_lin, -2 * cos, 1 - alpha / a_lin)
    return _normalised(b, a)


class Equaliser:
    """Second-order sections in series on a ``(channels, n)`` signal, state kept between blocks."""

    def __init__(self, sections: list[np.ndarray], *, channels: int = 2) -> None:
        self.sos = np.stack(sections)
        self.state = np.zeros((len(sections), channels, 2))

    def process(self, block: np.ndarray) -> np.ndarray:
        from scipy.signal import sosfilt

        out, self.state = sosfilt(self.sos, block, axis=1, zi=self.state)
        return np.asarray(out, dtype=np.float64)
