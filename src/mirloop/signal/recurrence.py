"""Mutual-nearest-neighbour recurrence affinity of a short sequence of feature vectors, dense.

The graph is the one ``librosa.segment.recurrence_matrix(data, width=w, mode="affinity",
sym=True)`` builds with its defaults: each unit's ``k = 2⌈√(n − 2w + 1)⌉`` nearest other units
(Euclidean distance, at least ``w`` units away) are its candidate links, a link is kept when
each end is among the other's candidates, and it weighs ``exp(−d / σ)`` with ``σ`` the median
over units of the distance to their farthest kept link.

librosa walks a sparse LIL matrix row by row in Python (twice: once to prune the neighbours,
once to find the bandwidth), which costs more than every other step of the segmenter together.
The segmenter's units are at most 768 beats, so the full distance matrix is small and every
step is one vectorised NumPy operation. The distances are exact (float64), so identical units
(stretches of digital silence) are at distance 0 and linked with affinity 1; librosa's float32
neighbour search usually sees them at a rounding-noise distance (affinity 1 − 10⁻⁶) and links
them too, but drops the link when the noise happens to be exactly 0. ``σ`` is taken over the
units with a link at a non-zero distance. Apart from that and from the order of exactly equal
distances, the result equals librosa's to about 10⁻⁷.
"""

from __future__ import annotations

import numpy as np

from mirloop.errors import InvalidValueError


def default_neighbours(n: int, width: int) -> int:
    """librosa's default number of neighbours: ``2⌈√(n − 2·width + 1)⌉``."""
    return int(2 * np.ceil(np.sqrt(n - 2 * width + 1)))


def pairwise_distances(data: np.ndarray) -> np.ndarray:
    """Euclidean distances ``(n, n)`` between the columns of ``data`` ``(d, n)``, in float64."""
    x = np.asarray(data, dtype=np.float64)
    squared = np.einsum("ij,ij->j", x, x)
    gram = x.T @ x
    distances = squared[:, None] + squared[None, :] - 2.0 * gram
    np.maximum(distances, 0.0, out=distances)
    np.fill_diagonal(distances, 0.0)
    return np.sqrt(distances, out=distances)


def recurrence_affinity(data: np.ndarray, *, width: int) -> np.ndarray:
    """Symmetric affinity ``(n, n)`` of mutual nearest neighbours among the columns of ``data``.

    ``data`` is ``(d, n)``: one column per time unit. Units closer in time than ``width`` are
    never linked. An all-zero matrix means no unit has a neighbour at a non-zero distance
    (every unit sounds the same, for instance one silence): there is no structure to find.
    """
    x = np.asarray(data)
    if x.ndim != 2:
        raise InvalidValueError(f"recurrence data must be 2-D (features × units), got shape {x.shape}")
    n = x.shape[1]
    if width < 1 or width >= (n - 1) // 2:
        raise InvalidValueError(
            f"recurrence width={width} must be at least 1 and below (units - 1) // 2 = {(n - 1) // 2}; "
            "pass more units or a smaller width"
        )
    k = default_neighbours(n, width)
    distances = pairwise_distances(x)
    # The n_neighbours nearest other units (as librosa's k-NN query), then those within
    # ``width`` are dropped and the k nearest of the rest kept.
    n_neighbours = min(n - 1, k + 2 * width)
    lags = np.abs(np.arange(n)[:, None] - np.arange(n)[None, :])
    searched = distances.copy()
    np.fill_diagonal(searched, np.inf)
    candidates = np.argpartition(searched, n_neighbours - 1, axis=1)[:, :n_neighbours]
    rows = np.arange(n)[:, None]
    allowed = np.full((n, n), np.inf)
    allowed[rows, candidates] = distances[rows, candidates]
    allowed[lags < width] = np.inf
    kept_count = min(k, n)
    nearest = np.argpartition(allowed, kept_count - 1, axis=1)[:, :kept_count]
    linked = np.zeros((n, n), dtype=bool)
    linked[rows, nearest] = np.isfinite(allowed[rows, nearest])
    mutual = linked & linked.T
    link_distance = np.where(mutual, distances, 0.0)
    farthest = link_distance.max(axis=1)
    if not np.any(farthest > 0.0):
        return np.zeros((n, n))
    bandwidth = float(np.median(farthest[farthest > 0.0]))
    return np.where(mutual, np.exp(-link_distance / bandwidth), 0.0)
