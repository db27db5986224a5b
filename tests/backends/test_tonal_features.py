"""The tonal window features: ``mode`` (major versus minor) and ``harmonic_change`` (HCDF)."""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.backends.librosa.features import LibrosaFeatures
from mirloop.backends.librosa.profiles import PITCH_CLASSES, key_correlations, mode_strength
from mirloop.signal import TrackContext
from mirloop.signal.harmony import harmonic_change
from mirloop.testing.signals import cadence


def _scale_chroma(tonic: int, steps: tuple[int, ...], weights: tuple[float, ...]) -> np.ndarray:
    chroma = np.full(12, 0.05)
    for step, weight in zip(steps, weights):
        chroma[(tonic + step) % 12] += weight
    return chroma


@pytest.mark.parametrize("tonic", range(0, 12, 5))
def test_mode_is_positive_for_major_and_negative_for_minor_in_any_key(tonic: int) -> None:
    weights = (1.0, 0.4, 0.7, 0.4, 0.9, 0.4, 0.4)
    major = _scale_chroma(tonic, (0, 2, 4, 5, 7, 9, 11), weights)
    minor = _scale_chroma(tonic, (0, 2, 3, 5, 7, 8, 11), weights)  # harmonic minor
    assert mode_strength(key_correlations(major, "edma")) > 0.1
    assert mode_strength(key_correlations(minor, "edma")) < -0.1
    both = mode_strength(key_correlations(np.vstack([major, minor]), "edma"))
    assert both.shape == (2,) and both[0] > 0 > both[1]


@pytest.mark.parametrize("mode", ["major", "minor"])
def test_the_mode_feature_hears_cadences(mode: str) -> None:
    ctx = TrackContext(cadence("D", mode, repeats=4))
    values = LibrosaFeatures().extract(ctx).column("mode")
    assert np.all(values > 0.05) if mode == "major" else np.all(values < -0.05)


def test_harmonic_change_is_zero_on_a_held_chord_and_peaks_at_changes() -> None:
    rate = 10.0
    c_major, f_major = np.zeros(12), np.zeros(12)
    c_major[[0, 4, 7]] = 1.0
    f_major[[5, 9, 0]] = 1.0
    held = np.tile(c_major[:, None], (1, 40))
    assert np.allclose(harmonic_change(held, rate), 0.0)
    changing = np.hstack([np.tile(c[:, None], (1, 10)) for c in (c_major, f_major) * 2])
    change = harmonic_change(changing, rate)
    assert change.shape == (40,)
    # peaks where the chord changes (between frames 9|10, 19|20, 29|30), troughs mid-chord
    assert set(np.flatnonzero(change >= change.max() - 1e-9)) <= {9, 10, 19, 20, 29, 30}
    assert change[[14, 15, 24, 25]].max() < 0.2 * change.max()
    assert change[:3].max() < 0.02 * change.max()
    transposed = harmonic_change(np.roll(changing, 3, axis=0), rate)
    np.testing.assert_allclose(transposed, change, atol=1e-9)


def test_harmonic_change_handles_silence_short_input_and_rejects_bad_shapes() -> None:
    assert np.all(harmonic_change(np.zeros((12, 30)), 10.0) == 0.0)
    assert harmonic_change(np.ones((12, 2)), 10.0).shape == (2,)
    with pytest.raises(ValueError, match=r"\(12, n\)"):
        harmonic_change(np.ones((24, 10)), 10.0)


def test_faster_chord_changes_score_higher() -> None:
    slow = TrackContext(cadence("A", "major", chord_seconds=2.0, repeats=3))
    fast = TrackContext(cadence("A", "major", chord_seconds=0.5, repeats=12))
    fast_change = LibrosaFeatures().extract(fast).column("harmonic_change").mean()
    slow_change = LibrosaFeatures().extract(slow).column("harmonic_change").mean()
    assert fast_change > 1.5 * slow_change
    assert PITCH_CLASSES[9] == "A"
