"""Unsupervised domain adaptation: map real-music feature rows onto the renders' feature space.

A model trained on renders sees real recordings as a shifted and differently correlated cloud of
feature rows. An :class:`Adaptation` fitted on *unlabelled* real audio moves those rows onto the
training distribution before the classifiers see them:

``x' = (x - target_mean) @ matrix + source_mean``

* ``standardize``: every feature is re-scaled from the real-music mean and deviation to the
  renders' (``matrix`` is diagonal);
* ``coral``: CORrelation ALignment (Sun, Feng & Saenko, "Return of frustratingly easy domain
  adaptation", AAAI 2016), applied in the inverse direction: the real-music rows are whitened with
  their own correlation and re-coloured with the renders'. Correlations are shrunk towards the
  identity (``shrinkage``) so a few hundred windows give a stable map.

Only audio is used, never labels. The renders themselves are not moved: a classifier backend
applies the map to real input only (its ``domain`` option).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from attrs import frozen

from mirloop.errors import ModelError

Method = Literal["standardize", "coral"]
METHODS: tuple[str, ...] = ("standardize", "coral")

#: Windows the target domain needs before a map is fitted.
MIN_TARGET_WINDOWS = 20


@frozen(eq=False)
class Adaptation:
    """A fitted affine map from the target (real-music) domain onto the source (renders) domain."""

    method: str
    target_mean: np.ndarray
    source_mean: np.ndarray
    matrix: np.ndarray
    fitted_on: str = ""
    shrinkage: float = 0.0

    def __attrs_post_init__(self) -> None:
        n = self.target_mean.shape[0]
        if self.target_mean.shape != (n,) or self.source_mean.shape != (n,) or self.matrix.shape != (n, n):
            raise ModelError(
                f"adaptation arrays have shapes {self.target_mean.shape}, {self.source_mean.shape}, "
                f"{self.matrix.shape}; expected ({n},), ({n},), ({n}, {n}); refit it with `mirloop adapt`"
            )
        if not all(np.all(np.isfinite(a)) for a in (self.target_mean, self.source_mean, self.matrix)):
            raise ModelError("adaptation arrays hold NaN or infinite values; refit it with `mirloop adapt`")

    @property
    def n_features(self) -> int:
        return int(self.target_mean.shape[0])

    def apply(self, x: np.ndarray) -> np.ndarray:
        """Rows of the target domain moved onto the source domain (``float32``)."""
        rows = np.asarray(x, dtype=np.float64)
        if rows.ndim != 2 or rows.shape[1] != self.n_features:
            raise ModelError(
                f"adaptation expects rows of {self.n_features} features, got shape {rows.shape}"
            )
        return ((rows - self.target_mean) @ self.matrix + self.source_mean).astype(np.float32)


def fit_adaptation(
    source: np.ndarray,
    target: np.ndarray,
    *,
    method: str = "coral",
    shrinkage: float = 0.1,
    fitted_on: str = "",
) -> Adaptation:
    """Fit the map of ``target`` rows onto ``source`` rows (both ``(n_windows, n_features)``).

    ``shrinkage`` in ``[0, 1]`` blends each correlation matrix with the identity (``coral`` only).
    Features constant in either domain keep their offset shift but are not re-scaled.
    """
    if method not in METHODS:
        raise ModelError(f"unknown adaptation method {method!r}; choose one of {', '.join(METHODS)}")
    if not 0.0 <= shrinkage <= 1.0:
        raise ModelError(f"shrinkage must lie in [0, 1], got {shrinkage}")
    xs = _rows(source, "source (renders)")
    xt = _rows(target, "target (real music)")
    if xs.shape[1] != xt.shape[1]:
        raise ModelError(
            f"source rows have {xs.shape[1]} features but target rows {xt.shape[1]}; extract both with "
            "the model's feature backend"
        )
    if len(xt) < MIN_TARGET_WINDOWS:
        raise ModelError(
            f"the real-music audio gives {len(xt)} windows; at least {MIN_TARGET_WINDOWS} are needed "
            "(give more or longer tracks)"
        )
    mu_s, mu_t = xs.mean(axis=0), xt.mean(axis=0)
    sd_s, sd_t = xs.std(axis=0), xt.std(axis=0)
    varying = (sd_s > 1e-12) & (sd_t > 1e-12)
    scale_s = np.where(varying, sd_s, 1.0)
    scale_t = np.where(varying, sd_t, 1.0)
    if method == "standardize":
        core = np.eye(xs.shape[1])
    else:
        r_s = _shrunk_correlation(xs, mu_s, scale_s, varying, shrinkage)
        r_t = _shrunk_correlation(xt, mu_t, scale_t, varying, shrinkage)
        core = _matrix_power(r_t, -0.5) @ _matrix_power(r_s, 0.5)
    matrix = (core / scale_t[:, None]) * scale_s[None, :]
    return Adaptation(method, mu_t, mu_s, matrix, fitted_on, shrinkage if method == "coral" else 0.0)


def _rows(x: np.ndarray, what: str) -> np.ndarray:
    rows = np.asarray(x, dtype=np.float64)
    if rows.ndim != 2 or len(rows) < 2:
        raise ModelError(f"{what} features must be a matrix of at least 2 rows, got shape {rows.shape}")
    if not np.all(np.isfinite(rows)):
        raise ModelError(f"{what} features contain NaN or infinite values; re-extract them")
    return rows


def _shrunk_correlation(
    x: np.ndarray, mean: np.ndarray, scale: np.ndarray, varying: np.ndarray, shrinkage: float
) -> np.ndarray:
    z = (x - mean) / scale
    z[:, ~varying] = 0.0
    corr = (z.T @ z) / len(z)
    corr[~varying, :] = 0.0
    corr[:, ~varying] = 0.0
    corr[np.diag_indices_from(corr)] = 1.0
    return (1.0 - shrinkage) * corr + shrinkage * np.eye(len(corr))


def _matrix_power(m: np.ndarray, power: float) -> np.ndarray:
    """``m ** power`` for a symmetric positive semi-definite matrix (eigenvalues floored)."""
    values, vectors = np.linalg.eigh((m + m.T) / 2.0)
    values = np.maximum(values, 1e-6)
    return (vectors * values**power) @ vectors.T
