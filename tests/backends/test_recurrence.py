"""recurrence_affinity: librosa's mutual-nearest-neighbour affinity graph, computed densely."""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.errors import InvalidValueError
from mirloop.signal.recurrence import default_neighbours, pairwise_distances, recurrence_affinity


def beat_features(n: int = 120, seed: int = 0) -> np.ndarray:
    """``(24, n)`` float32 features of a track with sections A B A: repetition to find."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(0, 10, 24), rng.normal(0, 10, 24)
    third = n // 3
    centres = np.concatenate([np.tile(a, (third, 1)), np.tile(b, (third, 1)), np.tile(a, (n - 2 * third, 1))])
    return (centres + rng.normal(0, 3, centres.shape)).T.astype(np.float32)


@pytest.mark.parametrize("width", [1, 3, 7])
def test_equals_librosa_recurrence_matrix_in_affinity_mode(width: int) -> None:
    import librosa

    data = beat_features()
    expected = librosa.segment.recurrence_matrix(data, width=width, mode="affinity", sym=True)
    affinity = recurrence_affinity(data, width=width)
    np.testing.assert_array_equal(affinity > 0, expected > 0)
    np.testing.assert_allclose(affinity, expected, atol=1e-6)


def test_links_are_mutual_at_least_width_apart_and_at_most_k_per_unit() -> None:
    data = beat_features(90)
    affinity = recurrence_affinity(data, width=4)
    np.testing.assert_array_equal(affinity, affinity.T)
    rows, cols = np.nonzero(affinity)
    assert np.all(np.abs(rows - cols) >= 4)
    assert (affinity > 0).sum(axis=1).max() <= default_neighbours(90, 4)
    # the repetition is found: A links to A (both ends), never to B
    a_units = np.r_[0:30, 60:90]
    assert affinity[np.ix_(np.r_[0:30], np.r_[60:90])].sum() > 0
    assert affinity[np.ix_(a_units, np.r_[30:60])].sum() == 0


def test_identical_units_have_no_structure() -> None:
    assert not recurrence_affinity(np.ones((12, 40), dtype=np.float32), width=3).any()


def test_pairwise_distances_are_euclidean() -> None:
    data = beat_features(20)
    expected = np.linalg.norm(data[:, :, None] - data[:, None, :], axis=0)
    np.testing.assert_allclose(pairwise_distances(data), expected, rtol=1e-6, atol=1e-6)


def test_width_too_large_for_the_units_is_one_clear_error() -> None:
    with pytest.raises(InvalidValueError, match=r"width=5 .* below \(units - 1\) // 2 = 4"):
        recurrence_affinity(beat_features(9), width=5)
