"""``tempocnn-grid``: librosa's metrical levels, the level chosen by tempo-cnn, never off the grid."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from mirloop.errors import ModelError, OptionError
from mirloop.signal import TrackContext
from mirloop.signal.tempo import compute_tempogram
from mirloop.testing import check_backend
from mirloop.testing.signals import click_track, drum_pattern
from mirloop.types import Audio

from mirloop_tempocnn.grid import TempoCnnGridTempo, grid_levels, level_mass, window_decay
from mirloop_tempocnn.models import MODELS_VARIABLE
from mirloop_tempocnn.tempo import FIRST_BPM, TempoCnnTempo

GRID_FACTORS = (1 / 3, 1 / 2, 1.0, 2.0, 3.0)
SR = 22050


def compound_clicks(dotted_bpm: float, duration: float) -> Audio:
    """6/8 clicks: every eighth note, accented on each dotted quarter, strongest on the bar's first."""
    out = np.zeros(round(duration * SR))
    t = np.arange(int(0.03 * SR)) / SR
    for i, time in enumerate(np.arange(0.0, duration, 60.0 / dotted_bpm / 3)):
        gain = 1.0 if i % 6 == 0 else 0.7 if i % 3 == 0 else 0.25
        click = gain * np.sin(2 * np.pi * (1000.0 if i % 3 == 0 else 1500.0) * t) * np.exp(-t / 0.006)
        start = round(time * SR)
        stop = min(start + len(click), len(out))
        out[start:stop] += click[: stop - start]
    return Audio((out / np.abs(out).max()).astype(np.float32), SR, source=f"6/8 at {dotted_bpm:g}")


def pulse_acf(period: int, accent_every: int, frames: int = 2000) -> tuple[np.ndarray, float]:
    """Mean tempogram of an onset train: a pulse every ``period`` frames, accented every ``accent_every``."""
    onset = np.zeros(frames)
    onset[::period] = 0.3
    onset[:: period * accent_every] = 1.0
    return compute_tempogram(onset, fps=43.0).acf.mean(axis=1), 43.0


def on_grid(bpm: float, grid_bpm: float) -> bool:
    return any(bpm == pytest.approx(grid_bpm * factor, rel=1e-6) for factor in GRID_FACTORS)


def test_the_level_below_groups_beats_in_twos_or_threes_as_the_onsets_do() -> None:
    period = 10  # frames: 258 BPM at 43 frames per second
    bpm = 60.0 * 43.0 / period
    duple = grid_levels(pulse_acf(period, 2)[0], bpm, fps=43.0, min_bpm=40.0, max_bpm=300.0)
    triple = grid_levels(pulse_acf(period, 3)[0], bpm, fps=43.0, min_bpm=40.0, max_bpm=300.0)
    assert duple[0] == pytest.approx(bpm / 2) and triple[0] == pytest.approx(bpm / 3)
    assert bpm in duple and bpm in triple


def test_the_window_decay_is_one_at_lag_zero_and_falls_to_zero_at_the_window_length() -> None:
    decay = window_decay(np.array([0.0, 50.0, 100.0, 200.0, 383.0, 400.0]))
    assert decay[0] == pytest.approx(1.0)
    assert np.all(np.diff(decay[:5]) < 0) and decay[5] == 0.0


def test_levels_outside_the_search_range_are_dropped_but_the_grid_tempo_is_kept() -> None:
    acf, fps = pulse_acf(10, 2)
    levels = grid_levels(acf, 258.0, fps=fps, min_bpm=200.0, max_bpm=240.0)
    assert levels.tolist() == [258.0]


def test_level_mass_is_the_networks_probability_near_each_level() -> None:
    distribution = np.zeros(256)
    distribution[int(100 - FIRST_BPM)] = 0.7
    distribution[int(150 - FIRST_BPM)] = 0.3
    mass = level_mass(distribution, np.array([50.0, 100.0, 150.0, 200.0]), width=0.04)
    assert mass[1] == pytest.approx(0.7) and mass[2] == pytest.approx(0.3)
    assert mass[0] < 1e-6 and mass[3] < 1e-6


@pytest.mark.parametrize("dotted_bpm", [60.0, 100.0])
def test_a_compound_meter_is_read_on_its_grid_where_the_network_alone_says_one_and_a_half(
    shipped_models: Path, dotted_bpm: float
) -> None:
    ctx = TrackContext(compound_clicks(dotted_bpm, 30.0))
    network = TempoCnnTempo().estimate_tempo(ctx).bpm
    assert network == pytest.approx(1.5 * dotted_bpm, rel=0.04)  # the network's compound-meter error
    estimate = TempoCnnGridTempo().estimate_tempo(ctx)
    assert any(estimate.bpm == pytest.approx(dotted_bpm * k, rel=0.04) for k in (0.5, 1.0, 3.0))
    assert estimate.bpm != pytest.approx(1.5 * dotted_bpm, rel=0.1)


@pytest.mark.parametrize(
    "audio",
    [
        drum_pattern(100.0, 24.0),
        click_track(75.0, 24.0),
        compound_clicks(60.0, 24.0),
        compound_clicks(90.0, 24.0),
    ],
    ids=["drums-100", "clicks-75", "6/8-60", "6/8-90"],
)
def test_the_answer_is_always_a_level_of_librosas_grid(shipped_models: Path, audio: Audio) -> None:
    ctx = TrackContext(audio)
    estimate = TempoCnnGridTempo().estimate_tempo(ctx)
    assert on_grid(estimate.bpm, ctx.tempo.bpm)
    scale = estimate.bpm / ctx.tempo.bpm
    assert np.allclose(estimate.window_bpm, np.asarray(ctx.tempo.window_bpm) * scale)


def test_a_drum_groove_is_read_at_its_beat(shipped_models: Path) -> None:
    estimate = TempoCnnGridTempo().estimate_tempo(TrackContext(drum_pattern(100.0, 24.0)))
    assert estimate.bpm == pytest.approx(100.0, rel=0.04)
    assert 0.0 < estimate.confidence <= 1.0
    assert np.median(np.diff(estimate.beats)) == pytest.approx(0.6, rel=0.05)


def test_silence_keeps_librosas_answer_without_confidence(shipped_models: Path) -> None:
    ctx = TrackContext(Audio(np.zeros(10 * SR, dtype=np.float32), SR, source="silence"))
    estimate = TempoCnnGridTempo().estimate_tempo(ctx)
    assert estimate.bpm == ctx.tempo.bpm and estimate.confidence == 0.0


def test_bad_options_are_refused_with_the_fix() -> None:
    with pytest.raises(OptionError, match="model=fcn"):
        TempoCnnGridTempo(model=" ")
    with pytest.raises(OptionError, match="width > 0"):
        TempoCnnGridTempo(width=0.0)
    with pytest.raises(OptionError, match="prior_width > 0"):
        TempoCnnGridTempo(prior_width=-1.0)


def test_without_the_models_it_refuses_and_names_the_setup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MODELS_VARIABLE, str(tmp_path / "none"))
    with pytest.raises(ModelError, match="mirloop-tempocnn setup"):
        TempoCnnGridTempo().estimate_tempo(TrackContext(drum_pattern(100.0, 12.0)))


def test_the_backend_meets_the_tempo_contract(shipped_models: Path) -> None:
    check_backend("tempo", TempoCnnGridTempo)
