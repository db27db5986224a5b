"""The 21 window features are assembled in one place from any backend's frames."""

from __future__ import annotations

import numpy as np

from mirloop.backends.feature_columns import BackendColumns, ChromaFrames, SpectralFrames, assemble_features
from mirloop.types import FEATURE_NAMES, Grid, Projection

RATE = 10.0  # frames per second
GRID = Grid(24.0)


def frames(n_mfcc: int, n_bands: int) -> tuple[SpectralFrames, ChromaFrames, BackendColumns]:
    rng = np.random.default_rng(1)
    n = int(24.0 * RATE)
    spectral = SpectralFrames(RATE, rng.random((n_mfcc, n)), rng.random((n_bands, n)), rng.random(n),
                              1000 * rng.random(n), rng.random(n), rng.random(n))
    chroma = rng.random((12, n))
    tonal = ChromaFrames(RATE, chroma, chroma.max(axis=0) / chroma.sum(axis=0))
    windows = np.arange(GRID.n_windows, dtype=np.float64)
    own = BackendColumns(tempo=100 + windows, onset_rate=windows, key_clarity=windows / 10,
                         mode=-windows / 10, pulse_clarity=np.full(GRID.n_windows, np.nan))
    return spectral, tonal, own


def test_columns_come_in_the_feature_order_with_the_backends_own_columns_in_place() -> None:
    features = assemble_features(GRID, *frames(13, 6), projection=None, backend="mine")
    column = dict(zip(features.names, features.values.T))
    assert features.names == FEATURE_NAMES and features.backend == "mine"
    assert np.allclose(column["tempo"], 100 + np.arange(GRID.n_windows))
    assert np.allclose(column["mode"], -np.arange(GRID.n_windows) / 10)
    assert np.array_equal(column["pulse_clarity"], np.zeros(GRID.n_windows))  # NaN becomes 0


def test_the_pca_input_holds_mean_and_std_of_every_coefficient_and_a_given_projection_is_used() -> None:
    n_mfcc, n_bands = 13, 6
    width = 2 * (n_mfcc + 12 + n_bands)
    projection = Projection(np.zeros(width), np.eye(3, width))
    features = assemble_features(GRID, *frames(n_mfcc, n_bands), projection=projection, backend="mine")
    assert features.pca_input is not None and features.pca_input.shape == (GRID.n_windows, width)
    pca = features.values[:, [FEATURE_NAMES.index(f"pca_{i}") for i in (1, 2, 3)]]
    assert np.allclose(pca, features.pca_input[:, :3], atol=1e-6)  # the first three MFCC means
    assert np.allclose(pca, features.values[:, :3], atol=1e-6)  # which are mfcc_1..3
