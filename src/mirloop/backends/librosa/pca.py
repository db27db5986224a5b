"""A deterministic 3-component PCA fitted on one track's window summaries."""

from __future__ import annotations

import numpy as np

from mirloop.types import Projection

N_COMPONENTS = 3


def fit_track_projection(x: np.ndarray, n_components: int = N_COMPONENTS) -> Projection:
    """PCA of the rows of ``x`` (windows × dims) on z-scored columns, as a :class:`Projection`.

    The z-scoring is folded into the components (``components[i] = v_i / std``), so
    ``Projection.apply`` reproduces ``((x - mean) / std) @ v.T``. Columns that do not vary get
    weight 0. Signs are fixed so each component's largest-magnitude loading is positive;
    missing components (fewer windows or varying columns than ``n_components``) are zero rows.
    """
    data = np.asarray(x, dtype=np.float64)
    mean = data.mean(axis=0)
    std = data.std(axis=0)
    varying = std > 1e-8 * np.maximum(1.0, np.abs(mean))
    scale = np.where(varying, std, 1.0)
    z = np.where(varying, (data - mean) / scale, 0.0)
    components = np.zeros((n_components, data.shape[1]))
    if data.shape[0] > 1 and varying.any():
        _, singular, vt = np.linalg.svd(z, full_matrices=False)
        keep = min(n_components, int(np.sum(singular > 1e-9 * max(singular[0], 1e-300))))
        for i in range(keep):
            v = vt[i]
            components[i] = v * np.sign(v[np.argmax(np.abs(v))])
    components = np.where(varying, components / scale, 0.0)
    return Projection(mean=mean, components=components, fitted_on="track")
