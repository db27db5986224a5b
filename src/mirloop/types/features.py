"""Window features: the paper's 21 features on the analysis grid."""

from __future__ import annotations

import numpy as np
from attrs import field, frozen

from mirloop.errors import InvalidValueError
from mirloop.types.grid import Grid

MFCC_NAMES = ("mfcc_1", "mfcc_2", "mfcc_3")
PCA_NAMES = ("pca_1", "pca_2", "pca_3")
SPECTRAL_TEMPORAL_NAMES = (
    "tempo",
    "onset_rate",
    "rms_mean",
    "rms_std",
    "spectral_centroid",
    "spectral_flatness",
    "spectral_contrast",
    "spectral_flux",
    "harmonic_change",
    "chroma_strength",
    "key_clarity",
    "mode",
    "chord_quality",
    "thirds",
    "pulse_clarity",
)
#: The 21 window features, in table order.
FEATURE_NAMES: tuple[str, ...] = MFCC_NAMES + PCA_NAMES + SPECTRAL_TEMPORAL_NAMES


def _matrix(values: object) -> np.ndarray:
    return np.atleast_2d(np.asarray(values, dtype=np.float32))


@frozen(eq=False)
class Features:
    """A ``(n_windows, n_features)`` matrix with its column names and grid.

    ``pca_input`` holds the per-window vectors that the 3 PCA coefficients are
    projected from; a trained model stores the fitted projection and re-projects
    them (see :class:`Projection`).
    """

    grid: Grid = field(metadata={"doc": "the analysis windows: pass `ctx.grid`"})
    values: np.ndarray = field(
        converter=_matrix, metadata={"doc": "finite values, shape `(n_windows, len(names))`, float32"})
    names: tuple[str, ...] = field(
        default=FEATURE_NAMES, metadata={"doc": "unique column names (default: the 21 built-in features)"})
    pca_input: np.ndarray | None = field(
        default=None, metadata={"doc": "per-window vectors the built-in PCA columns come from, or None"})
    backend: str = field(default="", metadata={"doc": "name of the backend that extracted the features"})

    def __attrs_post_init__(self) -> None:
        if self.values.shape != (self.grid.n_windows, len(self.names)):
            raise InvalidValueError(
                f"feature matrix has shape {self.values.shape}, expected "
                f"({self.grid.n_windows}, {len(self.names)}) for the grid and names"
            )

    def column(self, name: str) -> np.ndarray:
        """The values of column ``name``, one per window."""
        return self.values[:, self.names.index(name)]


@frozen(eq=False)
class Projection:
    """A fitted linear projection (PCA): ``(x - mean) @ components.T``."""

    mean: np.ndarray
    components: np.ndarray
    fitted_on: str = ""

    def apply(self, x: np.ndarray) -> np.ndarray:
        return ((np.asarray(x, dtype=np.float64) - self.mean) @ self.components.T).astype(np.float32)
