"""Renders never clip, keep true peaks under -1 dBFS, sit near their loudness target, and calm
styles sit lower than loud ones."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import resample_poly

from mirloop.catalog import load_catalog
from mirloop.renderer import render_descriptor
from mirloop.renderer.limiter import Limiter
from mirloop.renderer.options import RenderOptions
from mirloop.renderer.pipeline import DB_PER_DYNAMICS, REFERENCE_DYNAMICS
from tests.renderer.conftest import FAST


def _dbfs(value: float) -> float:
    return 20 * np.log10(max(value, 1e-12))


@pytest.mark.parametrize(
    "name",
    [
        "rock_classic_aggressive",
        "ambient_drone_peaceful",
        "hiphop_trap_aggressive",
        "cinematic_percussion_primal_pulsing",
    ],
)
@pytest.mark.parametrize("sr", [22050, 44100])
def test_renders_stay_under_the_ceiling_and_near_the_target_loudness(name: str, sr: int) -> None:
    result = render_descriptor(name, 10.0, seed=4, config={**FAST, "sr": sr})
    samples = result.audio.samples
    assert _dbfs(np.abs(samples).max()) <= -2.0 + 1e-3
    true_peak = np.abs(resample_poly(samples, 4, 1, axis=1)).max()
    assert _dbfs(true_peak) < -1.0
    frames = samples[:, : samples.shape[1] // sr * sr].reshape(2, -1, sr)
    loudest_second = _dbfs(float(np.sqrt((frames**2).mean(axis=(0, 2))).max()))
    dynamics = load_catalog()[name].style.dynamics
    target = RenderOptions().loudness - 1.0 + min(2.0, DB_PER_DYNAMICS * (dynamics - REFERENCE_DYNAMICS))
    assert abs(loudest_second - target) < 4.0, f"loudest {loudest_second:.1f}, target {target:.1f} dBFS"


def test_calm_styles_are_rendered_quieter_than_loud_ones() -> None:
    catalog = load_catalog()
    calm, loud = "ambient_drone_peaceful", "rock_classic_aggressive"
    assert catalog[calm].style.dynamics + 0.3 < catalog[loud].style.dynamics

    def level(name: str) -> float:
        samples = render_descriptor(name, 10.0, seed=4, config=FAST).audio.samples
        return _dbfs(float(np.sqrt(np.mean(samples**2))))

    assert level(calm) < level(loud) - 6.0


def test_the_limiter_only_turns_the_gain_down_around_peaks() -> None:
    rng = np.random.default_rng(0)
    signal = (rng.standard_normal((2, 40000)) * 0.1).astype(np.float32)
    signal[:, 20000] = 3.0
    limiter = Limiter(ceiling_db=-1.5, window=256, frame=8)
    blocks = [limiter.process(signal[:, i : i + 1000]) for i in range(0, 40000, 1000)]
    blocks.append(limiter.process(np.zeros((2, 1000), np.float32)))
    out = np.concatenate(blocks, axis=1)[:, 256 : 256 + 40000]
    assert np.abs(out).max() <= 10 ** (-1.5 / 20) + 1e-6
    np.testing.assert_array_equal(out[:, :19000], signal[:, :19000])
    np.testing.assert_array_equal(out[:, 21000:], signal[:, 21000:])
