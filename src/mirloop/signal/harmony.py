"""Harmonic change: how fast the harmony moves (Harte, Sandler & Gasser 2006, HCDF)."""

from __future__ import annotations

import numpy as np

#: Radii of the tonal centroid's three circles: fifths, minor thirds, major thirds.
RADII = (1.0, 1.0, 0.5)
#: Gaussian smoothing of the tonal centroid before differencing, in seconds (standard deviation).
SMOOTHING = 0.25


def tonal_centroid_matrix() -> np.ndarray:
    """``(6, 12)`` projection of a pitch-class vector (C first) onto the 6-D tonal centroid space."""
    pcs = np.arange(12)
    rows = []
    for radius, angle in zip(RADII, (7 * np.pi / 6, 3 * np.pi / 2, 2 * np.pi / 3)):
        rows += [radius * np.sin(pcs * angle), radius * np.cos(pcs * angle)]
    return np.asarray(rows)


def harmonic_change(chroma: np.ndarray, rate: float) -> np.ndarray:
    """Harmonic change per frame of a ``(12, n)`` chroma at ``rate`` frames/s (0 where silent).

    The chroma is L1-normalised, projected to the tonal centroid, smoothed with a Gaussian
    (:data:`SMOOTHING`), and the change is the distance between the centroids one frame before
    and one frame after. Transposition-invariant; a held chord scores 0, a chord change a peak.
    """
    from scipy.ndimage import gaussian_filter1d

    x = np.asarray(chroma, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] != 12:
        raise ValueError(f"chroma must have shape (12, n), got {x.shape}")
    if x.shape[1] < 3:
        return np.zeros(x.shape[1])
    total = x.sum(axis=0, keepdims=True)
    normed = np.where(total > 1e-9, x / np.maximum(total, 1e-9), 0.0)
    centroid = tonal_centroid_matrix() @ normed
    centroid = gaussian_filter1d(centroid, sigma=max(SMOOTHING * rate, 0.5), axis=1, mode="nearest")
    change = np.zeros(x.shape[1])
    change[1:-1] = np.linalg.norm(centroid[:, 2:] - centroid[:, :-2], axis=0)
    return change
