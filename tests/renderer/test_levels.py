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
from mirloop.renderer.production import DB_PER_DYNAMICS, REFERENCE_DYNAMICS
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


@pytest.mark.parametrize("production", ["gm", "genre"])
@pytest.mark.parametrize("seed", [1, 2])
def test_each_section_of_a_stitched_render_sits_at_its_own_level(seed: int, production: str) -> None:
    # a loud and a calm descriptor joined: each section is as loud as its descriptor rendered alone
    # (one master gain for the whole piece put both several dB under, by the mean of their dynamics;
    # in the genre production, the pop master's make-up gain lifted the jazz section by 5 dB)
    from mirloop.renderer import render
    from mirloop.timeline import multi_region, single_region

    sr, loud, calm = 22050, "pop_synth_anxious", "jazz_lounge_peaceful"

    def rms(samples: np.ndarray, start: float, stop: float) -> float:
        return _dbfs(float(np.sqrt(np.mean(samples[:, int(start * sr) : int(stop * sr)] ** 2))))

    config = {**FAST, "sr": sr, "production": production}
    alone = [
        render(single_region(name, 10.0, seed=seed), seed=seed, config=config).audio.samples
        for name in (loud, calm)
    ]
    timeline = multi_region([(0.0, 10.0, loud), (10.0, 20.0, calm)], joined=True, seed=seed)
    joined = render(timeline, seed=seed, config=config).audio.samples
    assert rms(joined, 2.0, 9.5) == pytest.approx(rms(alone[0], 2.0, 9.5), abs=2.0)
    assert rms(joined, 12.0, 19.5) == pytest.approx(rms(alone[1], 2.0, 9.5), abs=2.0)


def test_section_gains_ramp_at_the_boundaries_and_stay_flat_inside() -> None:
    from mirloop.renderer.engine import SECTION_RAMP, MixSettings

    sr = 1000
    assert MixSettings(gain=0.5).curves(sr) is None  # one section: the scalar gain
    points, gains, wets = MixSettings(sections=((0.0, 1.0, 0.2), (2.0, 0.5, 0.1))).curves(sr)  # type: ignore[misc]
    at = np.array([0.0, 1000.0, 2000.0 - SECTION_RAMP * sr, 2000.0, 2000.0 + SECTION_RAMP * sr, 5000.0])
    assert np.interp(at, points, gains).tolist() == pytest.approx([1.0, 1.0, 1.0, 0.75, 0.5, 0.5])
    assert np.interp(at, points, wets).tolist() == pytest.approx([0.2, 0.2, 0.2, 0.15, 0.1, 0.1])


def test_each_section_goes_through_its_own_master_crossfaded_at_the_boundary() -> None:
    from mirloop.renderer.buses import SECTION_RAMP, MasterBus, SectionMasters, master_for
    from mirloop.renderer.genre_sound import MASTERS

    sr, pop = 8000, MASTERS["pop"]
    t = np.arange(3 * sr) / sr
    signal = np.stack([0.3 * np.sin(2 * np.pi * 220 * t)] * 2).astype(np.float32)
    sections = [(0.0, None), (1.5, pop)]

    def run(block: int) -> np.ndarray:
        masters = SectionMasters(sections, sr)
        return np.concatenate(
            [masters.process(signal[:, i : i + block], i) for i in range(0, signal.shape[1], block)], axis=1
        )

    out = run(1000)
    np.testing.assert_array_equal(out, run(4096))  # streaming: the same at any block size
    half = int(SECTION_RAMP * sr / 2)
    boundary = int(1.5 * sr)
    np.testing.assert_array_equal(out[:, : boundary - half], signal[:, : boundary - half])  # no master
    alone = MasterBus(pop, sr).process(signal[:, boundary - half :], boundary - half)
    np.testing.assert_allclose(out[:, boundary + half :], alone[:, 2 * half :], atol=1e-6)
    at = boundary + 3  # in the ramp: each section weighted by how far the ramp has gone
    weight = (at - (boundary - half)) / (2 * half)
    expected = (1 - weight) * signal[:, at] + weight * alone[:, at - (boundary - half)]
    np.testing.assert_allclose(out[:, at], expected, rtol=1e-5)
    assert master_for([(0.0, pop), (1.0, pop)], sr).__class__ is MasterBus
    assert master_for([(0.0, None), (1.0, None)], sr) is None


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
