"""The randomised chain's effects, measured: each does what its drawn parameter says."""

from __future__ import annotations

import numpy as np
import pytest
from attrs import evolve

from mirloop.renderer.effects.chorus import CENTRE_DELAY, CHANNEL_PHASES, FULL_SWING, Chorus
from mirloop.renderer.effects.codec import mp3_available, round_trip
from mirloop.renderer.effects.compressor import Compressor
from mirloop.renderer.effects.eq import Equaliser, high_shelf, low_shelf, peaking
from mirloop.renderer.effects.room import Room, high_rt60, room_impulse, rt60
from mirloop.renderer.effects.saturation import saturate
from mirloop.renderer.effects.stereo import widen
from mirloop.renderer.randomize import ChainParams, MasterChain, apply_chain, draw_chain

SR = 44100
SEEDS = range(6)


def _chain(seed: int) -> ChainParams:
    params = draw_chain(seed, "mix")
    assert params is not None
    return params


def _sine_gain_db(section: np.ndarray, freq: float, sr: int = SR) -> float:
    """Steady-state gain (dB) of one biquad at ``freq``: amplitude of the output's ``freq``
    component over the input's, in the last second of a two-second sine."""
    t = np.arange(2 * sr) / sr
    tone = np.sin(2 * np.pi * freq * t)
    out = Equaliser([section]).process(np.stack([tone, tone]))[0]
    probe = np.exp(-2j * np.pi * freq * t[sr:])
    return float(20 * np.log10(abs(np.mean(out[sr:] * probe)) / abs(np.mean(tone[sr:] * probe))))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_eq_applies_the_drawn_gains_at_the_drawn_frequencies(seed: int) -> None:
    p = _chain(seed)
    peak = peaking(p.peak_hz, p.peak_db, p.peak_q, SR)
    assert _sine_gain_db(peak, p.peak_hz) == pytest.approx(p.peak_db, abs=0.5)
    low = low_shelf(p.low_shelf_hz, p.low_shelf_db, SR)
    assert _sine_gain_db(low, p.low_shelf_hz / 4) == pytest.approx(p.low_shelf_db, abs=0.5)  # the shelf
    assert _sine_gain_db(low, p.low_shelf_hz) == pytest.approx(p.low_shelf_db / 2, abs=0.5)  # its midpoint
    assert _sine_gain_db(low, 4 * p.low_shelf_hz) == pytest.approx(0.0, abs=0.5)
    high = high_shelf(p.high_shelf_hz, p.high_shelf_db, SR)
    assert _sine_gain_db(high, min(2 * p.high_shelf_hz, 0.47 * SR)) == pytest.approx(p.high_shelf_db, abs=0.5)
    assert _sine_gain_db(high, p.high_shelf_hz) == pytest.approx(p.high_shelf_db / 2, abs=0.5)
    assert _sine_gain_db(high, p.high_shelf_hz / 8) == pytest.approx(0.0, abs=0.5)


def test_the_compressor_turns_a_steady_signal_down_by_its_static_curve() -> None:
    for detector, level_of in (("rms", lambda a: a / np.sqrt(2)), ("peak", lambda a: a)):
        for amplitude, threshold, ratio in ((0.5, -20.0, 4.0), (0.2, -30.0, 1.5), (0.8, -10.0, 6.0)):
            t = np.arange(SR) / SR
            tone = amplitude * np.sin(2 * np.pi * 1000 * t)
            comp = Compressor(
                SR,
                threshold_db=threshold,
                ratio=ratio,
                attack_ms=1.0,
                release_ms=50.0,
                knee_db=0.0,
                detector=detector,
            )
            out = comp.process(np.stack([tone, tone]))[0]
            expected = (20 * np.log10(level_of(amplitude)) - threshold) * (1 - 1 / ratio)
            measured = 20 * np.log10(np.max(np.abs(tone[SR // 2 :])) / np.max(np.abs(out[SR // 2 :])))
            assert measured == pytest.approx(expected, abs=0.5), (detector, amplitude, threshold, ratio)


def test_the_compressor_leaves_a_signal_below_the_threshold_and_knee_alone() -> None:
    tone = 0.01 * np.sin(2 * np.pi * 440 * np.arange(SR) / SR)  # −43 dBFS RMS
    comp = Compressor(SR, threshold_db=-30.0, ratio=6.0, attack_ms=1.0, release_ms=50.0)
    np.testing.assert_allclose(comp.process(np.stack([tone, tone])), np.stack([tone, tone]), atol=1e-12)


def test_the_gain_reduction_rises_with_the_attack_and_falls_with_the_release_time() -> None:
    attack_ms, release_ms = 10.0, 120.0
    level = np.full(3 * SR, 0.01)
    level[SR : 2 * SR] = 0.5  # a step from −40 dBFS up to −6 dBFS and back down
    comp = Compressor(
        SR,
        threshold_db=-20.0,
        ratio=4.0,
        attack_ms=attack_ms,
        release_ms=release_ms,
        knee_db=0.0,
        detector="peak",
    )
    reduction = 20 * np.log10(level / comp.process(np.stack([level, level]))[0])
    full = (20 * np.log10(0.5) + 20) * 0.75
    assert reduction[2 * SR - 1] == pytest.approx(full, abs=0.01)
    rise = np.argmax(reduction[SR:] >= full * (1 - np.exp(-1)))  # one time constant after the step
    assert rise / SR * 1000 == pytest.approx(attack_ms, rel=0.02)
    fall = np.argmax(reduction[2 * SR :] <= full * np.exp(-1))
    assert fall / SR * 1000 == pytest.approx(release_ms, rel=0.02)


def _drum_bars(loud_db: float) -> np.ndarray:
    """Four one-second bars of decaying noise hits every 125 ms: the odd bars with an RMS of
    ``loud_db`` dBFS, the even ones 20 dB quieter."""
    rng = np.random.default_rng(1)
    hit = rng.standard_normal(SR // 8) * np.exp(-np.arange(SR // 8) / (0.03 * SR))
    bar = np.tile(hit, 8)
    bar *= 10 ** (loud_db / 20) / np.sqrt(np.mean(bar**2))
    out = np.concatenate([bar, 0.1 * bar, bar, 0.1 * bar])
    return np.stack([out, out])


def _bar_levels_db(signal: np.ndarray) -> np.ndarray:
    """RMS (dBFS) of the second half of each bar (after the compressor has settled)."""
    return np.array(
        [20 * np.log10(np.sqrt(np.mean(signal[0, i * SR + SR // 2 : (i + 1) * SR] ** 2))) for i in range(4)]
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_the_drawn_compressor_narrows_the_gap_between_loud_and_quiet_drum_bars(seed: int) -> None:
    p = _chain(seed)
    drums = _drum_bars(p.comp_threshold_db + 10)  # loud bars 10 dB over the threshold, quiet ones 10 dB under
    comp = Compressor(
        SR,
        threshold_db=p.comp_threshold_db,
        ratio=p.comp_ratio,
        attack_ms=p.comp_attack_ms,
        release_ms=p.comp_release_ms,
    )
    before, after = _bar_levels_db(drums), _bar_levels_db(comp.process(drums))
    gap_before, gap_after = before[2] - before[3], after[2] - after[3]
    assert gap_before == pytest.approx(20.0, abs=0.01)
    assert gap_after < gap_before - 0.5 * 10 * (1 - 1 / p.comp_ratio)  # at least half the static curve's cut
    assert after[3] == pytest.approx(before[3], abs=1.0)  # the quiet bar is left (nearly) alone


def test_a_transient_shorter_than_the_attack_passes_the_compressor() -> None:
    drums = _drum_bars(-10.0)
    slow = Compressor(SR, threshold_db=-30.0, ratio=4.0, attack_ms=30.0, release_ms=100.0).process(drums)
    hit = slice(2 * SR, 2 * SR + SR // 8)  # a hit of the second loud bar, after a quiet bar
    assert np.max(np.abs(slow[0, hit])) > 0.8 * np.max(np.abs(drums[0, hit]))  # its first milliseconds pass
    assert _bar_levels_db(slow)[2] < _bar_levels_db(drums)[2] - 6  # the bar is turned down


def test_saturation_keeps_quiet_levels_and_rounds_off_peaks_more_with_more_drive() -> None:
    quiet = 0.001 * np.sin(2 * np.pi * 440 * np.arange(SR) / SR)
    np.testing.assert_allclose(saturate(quiet, drive_db=12.0), quiet, rtol=1e-5)
    loud = 0.8 * np.sin(2 * np.pi * 441 * np.arange(SR) / SR)  # 441 Hz: whole periods in one second

    def third_harmonic_db(drive_db: float) -> float:
        spectrum = np.abs(np.fft.rfft(saturate(loud, drive_db=drive_db)))
        return float(20 * np.log10(spectrum[3 * 441] / spectrum[441]))

    assert third_harmonic_db(0.0) < third_harmonic_db(6.0) < third_harmonic_db(12.0)


def test_the_chorus_delays_its_copy_by_the_modulated_delay_and_mixes_it_in() -> None:
    rate, depth, mix, at = 1.0, 0.3, 0.4, SR // 4
    click = np.zeros((2, SR))
    click[:, at] = 1.0
    out = Chorus(SR, rate_hz=rate, depth=depth, mix=mix).process(click, 0)
    assert out[0, at] == pytest.approx(1 - mix)  # the dry click, scaled
    t = np.arange(SR, dtype=np.float64)
    for channel, phase in enumerate(CHANNEL_PHASES):
        delay = (CENTRE_DELAY + depth * FULL_SWING * np.sin(2 * np.pi * rate * t / SR + phase)) * SR
        arrival = t[np.argmax(t - delay >= at)]  # when the delayed read reaches the click
        echo = np.flatnonzero(np.abs(out[channel, at + 1 :]) > 1e-9) + at + 1
        assert arrival - 1 <= echo.min() <= arrival and echo.max() <= arrival + 1
        assert np.sum(out[channel, at + 1 :]) == pytest.approx(mix, rel=0.05)
    left, right = (np.flatnonzero(out[c, at + 1 :])[0] for c in (0, 1))
    assert left - right > 0.9 * depth * FULL_SWING * SR  # the channels' LFOs in quadrature


def test_the_chorus_gives_the_same_output_whatever_the_blocks() -> None:
    rng = np.random.default_rng(2)
    signal = rng.standard_normal((2, SR)).astype(np.float32)
    whole = Chorus(SR, rate_hz=1.7, depth=0.4, mix=0.5).process(signal, 0)
    chorus, parts, start = Chorus(SR, rate_hz=1.7, depth=0.4, mix=0.5), [], 0
    for size in (100, 7, 4096, 1, 30000):
        parts.append(chorus.process(signal[:, start : start + size], start))
        start += size
    parts.append(chorus.process(signal[:, start:], start))
    np.testing.assert_array_equal(np.concatenate(parts, axis=1), whole)


def _measured_rt60(impulse: np.ndarray) -> float:
    """RT60 (s) by Schroeder backward integration, extrapolated from the −5 to −25 dB decay (T20)."""
    energy = np.cumsum(impulse[::-1] ** 2)[::-1]
    curve = 10 * np.log10(energy / energy[0])
    start, stop = np.argmax(curve <= -5), np.argmax(curve <= -25)
    slope = np.polyfit(np.arange(start, stop) / SR, curve[start:stop], 1)[0]
    return float(-60 / slope)


def test_the_room_decays_in_the_time_its_size_says_and_longer_for_bigger_rooms() -> None:
    rng = np.random.default_rng(3)
    measured = []
    for size in (0.1, 0.5, 0.9):
        impulse = room_impulse(SR, size=size, damping=0.2, rng=rng)
        from scipy.signal import butter, sosfilt

        low = sosfilt(butter(4, 1000, fs=SR, output="sos"), impulse[0])
        measured.append(_measured_rt60(low))
        assert measured[-1] == pytest.approx(rt60(size), rel=0.1)
    assert measured[0] < measured[1] < measured[2]


def test_damping_shortens_the_decay_of_the_highs() -> None:
    from scipy.signal import butter, sosfilt

    highpass = butter(4, 6000, btype="high", fs=SR, output="sos")
    highs = []
    for damping in (0.2, 0.8):
        impulse = room_impulse(SR, size=0.6, damping=damping, rng=np.random.default_rng(4))
        highs.append(_measured_rt60(sosfilt(highpass, impulse[0])))
        assert highs[-1] == pytest.approx(high_rt60(0.6, damping), rel=0.15)
    assert highs[1] < 0.6 * highs[0]


def test_the_room_adds_its_tail_to_the_dry_signal_and_streams_block_by_block() -> None:
    impulse = room_impulse(SR, size=0.3, damping=0.5, rng=np.random.default_rng(5))
    click = np.zeros((2, 2 * SR))
    click[:, 100] = 1.0
    out = Room(impulse, wet=0.25, dry=0.8).process(click)
    expected = 0.8 * click + 0.25 * np.pad(impulse, ((0, 0), (100, 2 * SR)))[:, : 2 * SR]
    np.testing.assert_allclose(out, expected, atol=1e-6)
    room, start, parts = Room(impulse, wet=0.25, dry=0.8), 0, []
    for size in (50, 9000, 3, 40000):
        parts.append(room.process(click[:, start : start + size]))
        start += size
    parts.append(room.process(click[:, start:]))
    np.testing.assert_allclose(np.concatenate(parts, axis=1), out, atol=1e-6)


def test_the_room_is_seeded_left_and_right_differ() -> None:
    one = room_impulse(SR, size=0.5, damping=0.5, rng=np.random.default_rng(6))
    again = room_impulse(SR, size=0.5, damping=0.5, rng=np.random.default_rng(6))
    other = room_impulse(SR, size=0.5, damping=0.5, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(one, again)
    assert not np.allclose(one, other)
    assert abs(np.corrcoef(one[0], one[1])[0, 1]) < 0.05


@pytest.mark.parametrize("seed", SEEDS)
def test_width_scales_the_side_to_mid_energy_ratio_by_the_drawn_gain(seed: int) -> None:
    p = _chain(seed)
    rng = np.random.default_rng(seed)
    left = rng.standard_normal(SR)
    signal = np.stack([left, 0.6 * left + 0.4 * rng.standard_normal(SR)])

    def side_to_mid_db(s: np.ndarray) -> float:
        return float(10 * np.log10(np.sum((s[0] - s[1]) ** 2) / np.sum((s[0] + s[1]) ** 2)))

    change = side_to_mid_db(widen(signal, width=p.width)) - side_to_mid_db(signal)
    assert change == pytest.approx(20 * np.log10(p.width), abs=1e-9)


def _music(seconds: float = 3.0, sr: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    rng = np.random.default_rng(8)
    chords = sum(np.sin(2 * np.pi * f * t) for f in (220, 277, 330)) / 3
    noise = rng.standard_normal((2, t.size)) * np.exp(-(t % 0.5) / 0.05)
    return (0.3 * np.stack([chords, 0.8 * chords]) + 0.2 * noise).astype(np.float32)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_chain_sets_the_drawn_peak_level(seed: int) -> None:
    p = _chain(seed)
    out = apply_chain(_music(), SR, p, seed=seed)
    assert 20 * np.log10(np.max(np.abs(out))) == pytest.approx(p.peak_dbfs, abs=0.1)


def test_the_chain_is_byte_identical_on_rerun_and_its_room_follows_the_render_seed() -> None:
    p = evolve(_chain(1), reverb_wet=0.3)
    first, again = apply_chain(_music(), SR, p, seed=1), apply_chain(_music(), SR, p, seed=1)
    assert first.tobytes() == again.tobytes()
    assert not np.array_equal(first, apply_chain(_music(), SR, p, seed=2))  # another room's noise


def test_the_master_chain_gives_the_same_output_whatever_the_blocks() -> None:
    p = evolve(_chain(2), reverb_wet=0.3)
    music = _music().astype(np.float64)
    whole = MasterChain(p, SR, seed=2).process(music)
    chain, start, parts = MasterChain(p, SR, seed=2), 0, []
    for size in (16384, 1, 5000, 16384, 77):
        parts.append(chain.process(music[:, start : start + size]))
        start += size
    parts.append(chain.process(music[:, start:]))
    np.testing.assert_allclose(np.concatenate(parts, axis=1), whole, atol=1e-6)


def _band_db(signal: np.ndarray, low: float, high: float) -> float:
    spectrum = np.abs(np.fft.rfft(signal[0])) ** 2
    freqs = np.fft.rfftfreq(signal.shape[1], 1 / SR)
    return float(10 * np.log10(np.sum(spectrum[(freqs >= low) & (freqs < high)])))


@pytest.mark.parametrize(
    ("codec", "low_quality", "high_quality"),
    [
        pytest.param(
            "mp3", 9.0, 0.0, marks=pytest.mark.skipif(not mp3_available(), reason="libsndfile without MP3")
        ),
        ("ogg", 0.95, 0.1),
    ],
)
def test_a_low_quality_codec_round_trip_removes_the_top_band(
    codec: str, low_quality: float, high_quality: float
) -> None:
    noise = (0.1 * np.random.default_rng(9).standard_normal((2, 2 * SR))).astype(np.float32)
    low = round_trip(noise, SR, codec=codec, quality=low_quality)
    high = round_trip(noise, SR, codec=codec, quality=high_quality)
    assert low.shape == high.shape == noise.shape
    assert _band_db(low, 17000, 20000) < _band_db(noise, 17000, 20000) - 20
    assert _band_db(high, 17000, 20000) > _band_db(noise, 17000, 20000) - 3
    assert _band_db(low, 200, 4000) == pytest.approx(_band_db(noise, 200, 4000), abs=1.5)
