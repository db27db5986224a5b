"""On generated audio with known truth, the Essentia backends find the right answer."""

from __future__ import annotations

import numpy as np
import pytest
from mirloop.errors import OptionError
from mirloop.signal import TrackContext
from mirloop.testing.signals import cadence, drum_pattern, spliced_sections
from mirloop.types import Key

from mirloop_essentia import EssentiaKey, EssentiaSegmenter, EssentiaTempo


@pytest.mark.parametrize("method", ["degara", "percival"])
def test_tempo_of_a_128_bpm_beat_is_within_4_percent(method: str) -> None:
    ctx = TrackContext(drum_pattern(128.0, 20.0))
    estimate = EssentiaTempo(method=method).estimate_tempo(ctx)
    assert abs(estimate.bpm - 128.0) <= 0.04 * 128.0
    assert np.all(np.abs(estimate.window_bpm - 128.0) <= 0.04 * 128.0)


def test_beats_of_a_120_bpm_beat_are_half_a_second_apart() -> None:
    estimate = EssentiaTempo(method="degara").estimate_tempo(TrackContext(drum_pattern(120.0, 15.0)))
    assert np.median(np.diff(estimate.beats)) == pytest.approx(0.5, abs=0.02)


@pytest.mark.parametrize("profile", ["bgate", "edma", "temperley", "krumhansl"])
@pytest.mark.parametrize(("tonic", "mode"), [("F#", "minor"), ("Eb", "major")])
def test_key_of_a_cadence(profile: str, tonic: str, mode: str) -> None:
    ctx = TrackContext(cadence(tonic, mode, repeats=3))
    estimate = EssentiaKey(profile=profile).estimate_key(ctx)
    assert estimate.key == Key(tonic, mode)
    assert 0.0 < estimate.confidence <= 1.0


def test_an_unknown_key_profile_is_refused_with_the_choices() -> None:
    with pytest.raises(OptionError, match="edma"):
        EssentiaKey(profile="nonsense")


def test_segmenter_finds_sections_of_contrasting_texture_and_labels_the_repeat() -> None:
    track = spliced_sections("ABA", section_seconds=15.0)
    result = EssentiaSegmenter().segment(TrackContext(track.audio))
    assert len(result.boundaries) == 2
    assert np.allclose(result.boundaries, track.boundaries, atol=3.0)
    assert result.labels == ["A", "B", "A"]
