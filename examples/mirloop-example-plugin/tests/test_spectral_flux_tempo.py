"""The spectral-flux tempo backend: it keeps mirloop's contract and finds the tempo of a beat."""

from __future__ import annotations

import numpy as np
import pytest
from mirloop.errors import OptionError
from mirloop.signal import TrackContext
from mirloop.testing import check_backend
from mirloop.testing.signals import drum_pattern, silence

from mirloop_example import SpectralFluxTempo


def test_it_keeps_the_tempo_stage_contract() -> None:
    check_backend("tempo", SpectralFluxTempo)


def test_it_keeps_the_contract_with_options_too() -> None:
    check_backend("tempo", SpectralFluxTempo, min_bpm=70, max_bpm=180, prior_center=100)


@pytest.mark.parametrize("bpm", [90.0, 128.0, 150.0])
def test_it_finds_the_tempo_of_a_drum_pattern(bpm: float) -> None:
    tempo = SpectralFluxTempo().estimate_tempo(TrackContext(drum_pattern(bpm, 20.0)))
    assert tempo.bpm == pytest.approx(bpm, rel=0.02)
    assert np.allclose(tempo.window_bpm, bpm, rtol=0.03)
    assert np.median(np.diff(tempo.beats)) == pytest.approx(60.0 / bpm, rel=0.03)


def test_the_prior_chooses_the_metrical_level() -> None:
    ctx = TrackContext(drum_pattern(80.0, 20.0))
    assert SpectralFluxTempo(prior_center=80).estimate_tempo(ctx).bpm == pytest.approx(80.0, rel=0.02)
    double = SpectralFluxTempo(prior_center=160, min_bpm=100).estimate_tempo(ctx)
    assert double.bpm == pytest.approx(160.0, rel=0.02)


def test_silence_gets_the_prior_tempo_with_zero_confidence() -> None:
    tempo = SpectralFluxTempo(prior_center=100).estimate_tempo(TrackContext(silence(12.0)))
    assert (tempo.bpm, tempo.confidence, tempo.beats.size) == (100.0, 0.0, 0)


def test_contradictory_tempo_bounds_are_refused() -> None:
    with pytest.raises(OptionError, match=r"need 0 < min_bpm < max_bpm, got min_bpm=180\.0, max_bpm=90\.0"):
        SpectralFluxTempo(min_bpm=180, max_bpm=90)
