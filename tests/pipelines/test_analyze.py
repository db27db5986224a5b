"""analyze(): configuration first, then load → (separate) → context → every configured stage."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import mirloop
from mirloop.errors import AudioError, BackendNotFoundError, ConfigError, OptionError, PluginError
from mirloop.pipelines.analyze import SilentTrackWarning, analyze, analyze_audio
from mirloop.plugins import Registry
from mirloop.types import Audio
from tests.pipelines.audio_files import pulse_track, tone, write
from tests.pipelines.toy_backends import TOY_CONFIG, ToyClassifier, ToySeparator

pytestmark = pytest.mark.usefixtures("toy_registry")


def config(**stages: object) -> dict[str, object]:
    return {**TOY_CONFIG, **stages}


@pytest.fixture
def track(tmp_path: Path) -> Path:
    return write(tmp_path / "pulse.flac", pulse_track(24.0, 44100), 44100)


def test_every_stage_runs_on_the_track_grid(track: Path) -> None:
    analysis = analyze(track, config=config())

    assert analysis.source == str(track)
    assert analysis.duration == pytest.approx(24.0, abs=1e-3) and analysis.sr == 22050
    assert analysis.grid.n_windows == 8
    assert analysis.features is not None and analysis.features.values.shape == (8, 21)
    assert analysis.tempo is not None and analysis.tempo.bpm == 120.0
    assert analysis.key is not None and str(analysis.key.key) == "A minor"
    assert analysis.segmentation is not None and analysis.segmentation.labels == ["A", "B"]
    assert analysis.prediction is None
    assert analysis.flags == ()


def test_backends_used_and_stage_timings_are_recorded(track: Path) -> None:
    analysis = analyze(track, config=config())

    assert analysis.backends == {"features": "toy", "tempo": "toy", "key": "toy", "segmenter": "toy"}
    assert set(analysis.timings) == {"load", "features", "tempo", "key", "segmenter", "total"}
    assert all(seconds >= 0 for seconds in analysis.timings.values())
    assert analysis.timings["total"] >= analysis.timings["load"]


def test_is_the_public_api(track: Path) -> None:
    assert mirloop.analyze is analyze
    assert mirloop.analyze(track, config=config()).tempo is not None


def test_options_reach_the_backend(track: Path) -> None:
    analysis = analyze(track, config=config(tempo={"backend": "toy", "bpm": 97}))

    assert analysis.tempo is not None and analysis.tempo.bpm == 97.0


def test_a_config_file_is_accepted(track: Path, tmp_path: Path) -> None:
    path = tmp_path / "mirloop.toml"
    path.write_text(
        '[features]\nbackend = "toy"\n[key]\nbackend = "toy"\n[segmenter]\nbackend = "toy"\n'
        '[tempo]\nbackend = "toy"\nbpm = 150\n'
    )

    analysis = analyze(track, config=path)

    assert analysis.tempo is not None and analysis.tempo.bpm == 150.0


def test_a_stage_set_to_none_is_skipped(track: Path) -> None:
    analysis = analyze(track, config=config(key="none", segmenter="none"))

    assert analysis.key is None and analysis.segmentation is None
    assert "key" not in analysis.backends and "key" not in analysis.timings


def test_the_classifier_reads_the_features(track: Path) -> None:
    analysis = analyze(track, config=config(classifier={"backend": "toy", "threshold": 0.05}))

    assert analysis.prediction is not None
    assert analysis.prediction["genre"].labels == ["loud"] * 8
    assert analysis.backends["classifier"] == "toy"


def test_the_separator_feeds_its_accompaniment_to_the_analysis(tmp_path: Path) -> None:
    left = tone(12.0, 44100, freq=440.0)
    stereo = np.stack([left, np.zeros_like(left)], axis=1)  # accompaniment (left) has the tone
    path = write(tmp_path / "stereo.wav", stereo, 44100)
    ToySeparator.received.clear()
    # window RMS: 0.35 for the left channel alone, 0.18 for the stereo mix-down
    loud_if_left_only = {"backend": "toy", "threshold": 0.25}

    analysis = analyze(path, config=config(separator="toy", classifier=loud_if_left_only))

    (given,) = ToySeparator.received
    assert given.sr == 44100 and given.channels == 2  # the separator sees the stereo file at its rate
    assert analysis.backends["separator"] == "toy"
    assert analysis.prediction is not None and analysis.prediction["genre"].labels == ["loud", "loud"]


# -- configuration is checked before any audio is read -----------------------------------------


def test_unknown_backend_fails_before_loading(tmp_path: Path) -> None:
    with pytest.raises(BackendNotFoundError) as caught:
        analyze(tmp_path / "not-even-there.wav", config=config(tempo="tmepo"))

    assert "toy" in str(caught.value)  # lists what is installed


def test_unknown_option_lists_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="valid options: bpm"):
        analyze(tmp_path / "not-even-there.wav", config=config(tempo={"backend": "toy", "bmp": 100}))


def test_options_on_a_switched_off_stage_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="switched off"):
        analyze(tmp_path / "x.wav", config=config(key={"backend": "none", "profile": "x"}))


def test_classifier_without_features_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="features stage is 'none'"):
        analyze(tmp_path / "x.wav", config=config(features="none", classifier="toy"))


def test_a_classifier_reading_another_feature_backend_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ToyClassifier, "reads_features", "librosa")

    with pytest.raises(ConfigError, match=r"reads the columns of the 'librosa' .* --use features=librosa"):
        analyze(tmp_path / "x.wav", config=config(classifier="toy"))


def test_unreadable_audio_after_valid_config(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="no such file"):
        analyze(tmp_path / "missing.wav", config=config())


def test_a_backend_answering_off_grid_is_named(track: Path) -> None:
    expected = r"tempo backend 'broken' from plugin 'tests\.pipelines\.toy_backends' .* window_bpm has shape"
    with pytest.raises(PluginError, match=expected):
        analyze(track, config=config(tempo="broken"))


def test_segments_are_held_to_the_conformance_kits_tolerance(track: Path) -> None:
    from mirloop.testing import ConformanceError, check_backend
    from tests.pipelines.toy_backends import ShortSegmenter

    problem = r"the last segment ends at 23\.9\d\d s, the track at 24\.0\d\d s"
    with pytest.raises(PluginError, match=rf"segmenter backend 'short' returned segments .*\({problem}\)"):
        analyze(track, config=config(segmenter="short"))
    with pytest.raises(ConformanceError, match=r"the last segment ends at .* s, the track at"):
        check_backend("segmenter", ShortSegmenter)


def test_a_backend_returning_the_wrong_type_is_named_with_its_plugin_as_it_returns(track: Path) -> None:
    with pytest.raises(PluginError) as caught:
        analyze(track, config=config(key="dict"))

    message = str(caught.value)
    assert message.startswith("key backend 'dict' from plugin 'tests.pipelines.toy_backends'")
    assert "(tests.pipelines.toy_backends.DictKey)" in message
    assert "estimate_key() returned dict, expected KeyEstimate" in message
    assert "check_backend('key', 'dict')" in message


# -- unusual input ----------------------------------------------------------------------------------


def test_silence_is_analysed_and_flagged(tmp_path: Path) -> None:
    path = write(tmp_path / "silence.wav", np.zeros(12 * 22050, dtype=np.float32), 22050)

    with pytest.warns(SilentTrackWarning, match="silent"):
        analysis = analyze(path, config=config())

    assert analysis.flags == ("silent",)
    assert analysis.features is not None and np.isfinite(analysis.features.values).all()


def test_a_half_second_clip_gets_a_single_window(tmp_path: Path) -> None:
    path = write(tmp_path / "blip.wav", tone(0.5, 44100), 44100)

    analysis = analyze(path, config=config())

    assert analysis.grid.n_windows == 1
    assert analysis.features is not None and analysis.features.values.shape == (1, 21)


def test_audio_in_memory_at_any_rate_is_mixed_down_and_resampled() -> None:
    stereo = tone(11.0, 48000, channels=2).T
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no silence or short-track warning for a real signal
        analysis = analyze_audio(Audio(stereo, 48000), config=config())

    assert analysis.sr == 22050 and analysis.duration == pytest.approx(11.0, abs=1e-3)
    assert analysis.source == "<memory>"


def test_uses_the_process_registry(toy_registry: Registry) -> None:
    assert "toy" in toy_registry.names("tempo")


def test_checks_in_a_backend_constructor_run_before_loading(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="min_bpm"):
        analyze(tmp_path / "not-even-there.wav", config={"tempo": {"backend": "librosa", "min_bpm": 300}})


def test_each_configured_stage_is_announced_as_it_starts(track: Path) -> None:
    from mirloop.pipelines.analyze import analyze_file, resolve_analysis_config

    announced: list[str] = []
    analyze_file(track, config=resolve_analysis_config(config()), on_stage=announced.append)

    # tempo first (the features and the segmenter read it); stages switched off are not announced
    assert announced == ["tempo", "features", "key", "segmenter"]


def test_backends_and_timings_are_listed_in_the_stages_order(track: Path) -> None:
    analysis = analyze(track, config=config())

    assert list(analysis.backends) == ["features", "tempo", "key", "segmenter"]
    assert list(analysis.timings) == ["load", "features", "tempo", "key", "segmenter", "total"]
