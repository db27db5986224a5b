"""The system specs of benchmarks/bench_real_music.py (the real-music ablation) build what they name."""

from __future__ import annotations

from types import ModuleType

import pytest

from mirloop_musicnn.fused import MusicnnFused

BENCH = "bench_real_music"


def fused_options(bench: ModuleType, spec: str) -> dict[str, object]:
    predict = bench.system(spec)
    assert isinstance(predict.__self__, MusicnnFused)
    return dict(predict.__self__.opts)


def test_a_fused_spec_weighs_render_like_tracks_and_gives_recordings_the_tagger(bench: ModuleType) -> None:
    options = fused_options(bench, "fused:0.9")
    assert (options["weight"], options["recording_weight"]) == (0.9, 1.0)
    assert (options["model"], options["gate"]) == ("", "detector")


def test_a_fused_spec_may_name_the_recordings_weight_and_another_model(bench: ModuleType) -> None:
    options = fused_options(bench, "fused:0.93,0.5:/models/genre-musicnn")
    assert (options["weight"], options["recording_weight"]) == (0.93, 0.5)
    assert options["model"] == "/models/genre-musicnn"


def test_the_ungated_spec_switches_the_gate_off(bench: ModuleType) -> None:
    assert fused_options(bench, "fused-ungated:0.8")["gate"] == "none"


def test_the_chosen_weight_goes_where_the_template_says(bench: ModuleType) -> None:
    assert bench.weighted("fused", 0.9) == "fused:0.9"
    assert bench.weighted("fused-ungated", 1.0) == "fused-ungated:1.0"
    assert bench.weighted("fused:0.93,{w}:MODEL", 0.5) == "fused:0.93,0.5:MODEL"


def test_an_unknown_system_is_refused_with_the_valid_ones(bench: ModuleType) -> None:
    with pytest.raises(SystemExit, match=r"fused:W\[,R\]\[:PATH\]"):
        bench.system("knn")


def test_the_models_reach_the_tagger_and_the_fused_classifier(bench: ModuleType) -> None:
    fused = bench.system("fused:0.93", "", "MTT_vgg,MSD_vgg")
    tagger = bench.system("tagger", "", "MSD_vgg,MTT_musicnn")

    assert fused.__self__.opts["models"] == ("MTT_vgg", "MSD_vgg")
    assert tagger.__self__.opts["models"] == ("MTT_musicnn", "MSD_vgg")
    assert bench.system("tagger").__self__.opts["models"] == ("MTT_musicnn", "MSD_musicnn")
    assert bench._features_config()["features"]["models"] == list(bench.MODELS)
