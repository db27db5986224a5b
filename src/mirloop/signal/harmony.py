"""Harmony from chroma: how fast it moves (Harte, Sandler & Gasser 2006, HCDF) and which
chords it is made of (triad templates: major, minor, suspended)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from mirloop.errors import InvalidValueError

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
        raise InvalidValueError(f"chroma must have shape (12, n), got {x.shape}")
    if x.shape[1] < 3:
        return np.zeros(x.shape[1])
    total = x.sum(axis=0, keepdims=True)
    normed = np.where(total > 1e-9, x / np.maximum(total, 1e-9), 0.0)
    centroid = tonal_centroid_matrix() @ normed
    centroid = gaussian_filter1d(centroid, sigma=max(SMOOTHING * rate, 0.5), axis=1, mode="nearest")
    change = np.zeros(x.shape[1])
    change[1:-1] = np.linalg.norm(centroid[:, 2:] - centroid[:, :-2], axis=0)
    return change


#: Chord templates as intervals above the root: the two triads and the two suspended chords.
TRIADS: dict[str, tuple[int, ...]] = {"major": (0, 4, 7), "minor": (0, 3, 7)}
SUSPENDED: dict[str, tuple[int, ...]] = {"sus2": (0, 2, 7), "sus4": (0, 5, 7)}
#: Frames quieter than this fraction of the loudest frame's chroma energy carry no chord.
VOICED_FLOOR = 1e-3


def _templates(shapes: Mapping[str, tuple[int, ...]]) -> np.ndarray:
    """``(len(shapes) * 12, 12)`` unit-norm binary templates, every shape on every root."""
    rows = []
    for intervals in shapes.values():
        for root in range(12):
            row = np.zeros(12)
            row[[(root + i) % 12 for i in intervals]] = 1.0
            rows.append(row / np.linalg.norm(row))
    return np.asarray(rows)


def chord_qualities(chroma: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per frame of a ``(12, n)`` chroma: ``quality``, ``thirds`` and ``voiced``.

    Each frame's unit-norm chroma is matched (cosine) against the 12 major, 12 minor and 24
    suspended-chord templates. ``quality`` is the best major minus the best minor match (> 0:
    the frame sounds like a major chord, < 0: a minor one); ``thirds`` is the best triad minus
    the best suspended match (< 0: open harmony without thirds). Unlike a key profile, which
    cannot tell a minor key from its relative major by their shared notes, the chords played
    tell them apart. ``voiced`` (1.0/0.0) marks frames loud enough to carry a chord
    (:data:`VOICED_FLOOR`); the other frames score 0.
    """
    x = np.asarray(chroma, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] != 12:
        raise InvalidValueError(f"chroma must have shape (12, n), got {x.shape}")
    norm = np.linalg.norm(x, axis=0)
    unit = x / np.maximum(norm, 1e-12)
    major, minor = (
        (_templates({name: TRIADS[name]}) @ unit).max(axis=0) for name in ("major", "minor")
    )
    suspended = (_templates(SUSPENDED) @ unit).max(axis=0)
    energy = x.sum(axis=0)
    voiced = (energy > VOICED_FLOOR * energy.max()).astype(np.float64) if energy.size else energy
    return (major - minor) * voiced, (np.maximum(major, minor) - suspended) * voiced, voiced
