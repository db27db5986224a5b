"""Pooling per-frame arrays over the windows of an analysis grid."""

from __future__ import annotations

import numpy as np

from mirloop.types import Grid


def window_bounds(frame_rate: float, n_frames: int, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """First and one-past-last frame of each window (frame ``t`` sits at ``t / frame_rate`` s).

    Every window gets at least one frame, so pooled values are always defined.
    """
    lo = np.clip(np.ceil(grid.starts * frame_rate - 1e-9).astype(int), 0, max(n_frames - 1, 0))
    hi = np.clip(np.ceil(grid.ends * frame_rate - 1e-9).astype(int), 0, n_frames)
    hi = np.maximum(hi, lo + 1)
    return lo, hi


def window_mean_std(x: np.ndarray, frame_rate: float, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of ``x`` (``(n_frames,)`` or ``(d, n_frames)``) per window.

    Returns arrays of shape ``(n_windows,)`` or ``(n_windows, d)``. Uses cumulative sums in
    float64, so an hour of frames pools in milliseconds; a row at a time, so the float64
    temporaries are those of one row, not ``d`` (20 MFCC rows of 10 hours would be 1 GB).
    """
    rows = np.atleast_2d(x)
    lo, hi = window_bounds(frame_rate, rows.shape[1], grid)
    count = (hi - lo).astype(np.float64)
    mean = np.empty((len(lo), rows.shape[0]))
    std = np.empty((len(lo), rows.shape[0]))
    for r in range(rows.shape[0]):
        data = np.asarray(rows[r], dtype=np.float64)
        sums = np.concatenate([[0.0], np.cumsum(data)])
        squares = np.concatenate([[0.0], np.cumsum(data**2)])
        mean[:, r] = (sums[hi] - sums[lo]) / count
        std[:, r] = np.sqrt(np.maximum((squares[hi] - squares[lo]) / count - mean[:, r] ** 2, 0.0))
    if np.ndim(x) == 1:
        return mean[:, 0], std[:, 0]
    return mean, std


def window_weighted_mean(x: np.ndarray, weights: np.ndarray, frame_rate: float, grid: Grid) -> np.ndarray:
    """Mean of ``x`` (``(n_frames,)``) per window, frames weighted by ``weights`` (0 where a window
    has no weight)."""
    total = window_mean_std(np.asarray(x, dtype=np.float64) * weights, frame_rate, grid)[0]
    weight = window_mean_std(weights, frame_rate, grid)[0]
    return np.where(weight > 0, total / np.maximum(weight, 1e-12), 0.0)


def pool_columns(x: np.ndarray, max_columns: int) -> np.ndarray:
    """``x`` (``(d, n)``) unchanged when ``n <= max_columns``, else the mean of each run of
    ``⌈n / max_columns⌉`` consecutive columns (the last run may be shorter): what a figure
    ``max_columns`` wide can show of a long track, without drawing every frame."""
    n = x.shape[1]
    if n <= max_columns:
        return x
    factor = -(-n // max_columns)
    full = n // factor
    pooled = np.empty((x.shape[0], -(-n // factor)), dtype=np.float64)
    pooled[:, :full] = x[:, : full * factor].reshape(x.shape[0], full, factor).mean(axis=2)
    if full * factor < n:
        pooled[:, full] = x[:, full * factor :].mean(axis=1)
    return pooled.astype(x.dtype)
