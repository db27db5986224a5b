"""The madmom backends keep their contracts and find known tempo, beats, downbeats and keys."""

from __future__ import annotations

import numpy as np
import pytest
from mirloop.plugins import build_registry
from mirloop.signal import TrackContext
from mirloop.testing import check_backend
from mirloop.testing.signals import cadence, drum_pattern
from mirloop.types import Key

from mirloop_madmom import MadmomKey, MadmomTempo


def test_the_entry_point_registers_tempo_and_key() -> None:
    registry = build_registry()
    assert registry.get("tempo", "madmom").cls is MadmomTempo
    assert registry.get("key", "madmom").cls is MadmomKey
    assert registry.get("key", "madmom").dist == "mirloop-madmom"


def test_tempo_conforms() -> None:
    check_backend("tempo", MadmomTempo, beats=False)


def test_key_conforms() -> None:
    check_backend("key", MadmomKey)


@pytest.fixture(scope="module")
def drums_128() -> TrackContext:
    return TrackContext(drum_pattern(128.0, 16.0))


def test_tempo_and_beats_of_a_128_bpm_beat(drums_128: TrackContext) -> None:
    estimate = MadmomTempo().estimate_tempo(drums_128)
    assert abs(estimate.bpm - 128.0) <= 0.04 * 128.0
    assert np.all(np.abs(estimate.window_bpm - 128.0) <= 0.04 * 128.0)
    assert np.median(np.diff(estimate.beats)) == pytest.approx(60.0 / 128.0, abs=0.02)


def test_downbeats_come_every_four_beats_of_a_rock_beat(drums_128: TrackContext) -> None:
    beats = MadmomTempo().estimate_downbeats(drums_128, beats_per_bar=(4,))
    positions = beats[:, 1].astype(int)
    assert set(positions) == {1, 2, 3, 4}
    downbeats = beats[positions == 1, 0]
    assert np.median(np.diff(downbeats)) == pytest.approx(4 * 60.0 / 128.0, abs=0.05)


@pytest.mark.parametrize(("tonic", "mode"), [("C", "major"), ("F#", "minor")])
def test_key_of_a_cadence(tonic: str, mode: str) -> None:
    estimate = MadmomKey().estimate_key(TrackContext(cadence(tonic, mode, repeats=3)))
    assert estimate.key == Key(tonic, mode)
    assert 1 / 24 < estimate.confidence <= 1.0
