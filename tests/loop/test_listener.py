"""Which model hears the loop's renders: a model knows the production of its training renders, and
the loop hears each production's renders with a model trained on it (or says it cannot)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from mirloop.classify.backend import DEFAULT_MODEL
from mirloop.classify.feature_table import DatasetInfo
from mirloop.classify.storage import load_model
from mirloop.config import Config
from mirloop.errors import ModelError
from mirloop.loop.configuration import choose_listener, loop_config, render_analysis_config
from mirloop.pipelines.training import train_from_dataset
from tests.classify.synthetic import synthetic_windows, write_synthetic_dataset

GENRE_RUN: dict[str, Any] = {
    "renderer": "mirloop",
    "renderer_options": {"production": "genre", "randomize": "none", "sr": 22050},
}
GM_RUN: dict[str, Any] = {"renderer": "mirloop", "renderer_options": {"randomize": "none", "sr": 44100}}


def info(generation: Mapping[str, Any]) -> DatasetInfo:
    return DatasetInfo(feature_backend="librosa", feature_names=("tempo",), generation=dict(generation))


def test_a_dataset_says_how_its_renders_were_made_without_the_sample_rate() -> None:
    settings = info(GENRE_RUN).render_settings()
    assert settings == {"renderer": "mirloop", "production": "genre", "randomize": "none"}
    assert info({"per_descriptor": 8}).render_settings() == {}  # made before runs recorded it


def test_a_merged_dataset_lists_the_values_its_parts_differ_in() -> None:
    merged = {"merged_from": [{"generation": GENRE_RUN}, {"generation": GENRE_RUN}]}
    assert info(merged).render_settings()["production"] == "genre"

    def fill(renderer: str, options: dict[str, object]) -> dict[str, object]:
        return {"production": "gm", **options}

    mixed = {"merged_from": [{"generation": GENRE_RUN}, {"generation": GM_RUN}]}
    assert info(mixed).render_settings(fill)["production"] == ["genre", "gm"]
    assert info(mixed).render_settings(fill)["randomize"] == "none"
    assert info({"merged_from": [{"generation": GENRE_RUN}, {"generation": {}}]}).render_settings() == {}


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """KNN models trained on synthetic windows said to be renders of the genre and the GM production."""
    windows = synthetic_windows(renders_per_descriptor=3, windows_per_render=4, seed=2)
    root = tmp_path_factory.mktemp("listener")
    out = {}
    for name, generation in (("genre", GENRE_RUN), ("gm", GM_RUN)):
        data = write_synthetic_dataset(root / f"{name}-data", windows, generation=generation)
        train_from_dataset(
            data, root / name, kind="knn", test_size=0.0, leaky_comparison=False, figures=False
        )
        out[name] = root / name
    return out


def test_a_trained_model_records_its_renders_production_with_the_renderer_defaults(
    models: dict[str, Path],
) -> None:
    genre, gm = load_model(models["genre"]).info, load_model(models["gm"]).info
    assert genre.production == "genre" and genre.renders["randomize"] == "none" and "sr" not in genre.renders
    assert gm.production == "gm"  # recorded before the genre production was the default: read as GM
    assert json.loads((models["genre"] / "model.json").read_text())["info"]["renders"] == genre.renders
    assert load_model(DEFAULT_MODEL).info.production == "gm"


def config_for(model: Path, production: str) -> Config:
    return loop_config({"classifier": {"backend": "knn", "model": str(model)},
                        "renderer": {"production": production}})


def test_renders_of_the_models_own_production_are_heard_by_the_input_classifier(
    models: dict[str, Path],
) -> None:
    assert choose_listener(config_for(models["genre"], "genre")).model == ""
    assert choose_listener(config_for(models["gm"], "gm")).note == ""


def test_another_productions_renders_go_to_the_model_shipped_for_it(models: dict[str, Path]) -> None:
    chosen = choose_listener(config_for(models["genre"], "gm"))
    assert chosen.model == str(DEFAULT_MODEL) and chosen.note == ""

    heard = render_analysis_config(config_for(models["genre"], "gm"), segment=False)
    assert heard.backend("classifier") == "mlp" and heard.options("classifier")["model"] == str(DEFAULT_MODEL)
    assert heard.options("classifier")["domain"] == "render" and heard.backend("features") == "librosa"


def test_without_a_model_for_the_production_the_report_is_told_how_to_hear_it(
    models: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mirloop.classify import backend

    monkeypatch.setattr(backend, "SHIPPED_MODELS", {"gm": DEFAULT_MODEL})
    from mirloop.loop import configuration

    monkeypatch.setattr(configuration, "SHIPPED_MODELS", backend.SHIPPED_MODELS)
    chosen = choose_listener(config_for(models["gm"], "genre"))
    assert chosen.model == ""
    assert "production 'genre'" in chosen.note and "'gm' renders" in chosen.note
    assert "--listener" in chosen.note and "renderer.production=genre" in chosen.note

    monkeypatch.setitem(configuration.SHIPPED_MODELS, "genre", models["genre"])
    assert choose_listener(config_for(models["gm"], "genre")) == configuration.Listener(str(models["genre"]))


def test_a_listener_given_is_used_and_warned_about_when_it_does_not_match(models: dict[str, Path]) -> None:
    config = config_for(models["gm"], "genre")
    assert choose_listener(config, str(models["genre"])) == choose_listener(config, models["genre"])
    assert choose_listener(config, str(models["genre"])).note == ""
    wrong = choose_listener(config_for(models["genre"], "genre"), str(models["gm"]))
    assert wrong.model == str(models["gm"]) and "'gm' renders" in wrong.note

    heard = render_analysis_config(config, segment=True, listener=str(models["genre"]))
    assert heard.backend("classifier") == "knn"
    assert heard.options("classifier")["model"] == str(models["genre"])
    assert heard.backend("segmenter") != "none" and heard.backend("separator") == "none"


def test_a_listener_that_is_no_model_is_refused_before_any_track(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"--listener .*model\.json is missing.*mirloop train"):
        loop_config({"classifier": {"backend": "mlp"}}, listener=tmp_path)


def test_the_command_line_hears_renders_with_the_listener_and_reports_a_mismatch(
    tracks: dict[str, Path], tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mirloop.cli.main import main

    status = main(["loop", str(tracks["short"]), "-o", str(tmp_path / "out"), "--model", str(tiny_model),
                   "--listener", str(tiny_model), "--set", "renderer.production=gm",
                   "--renders", "0", "--descriptors", "0", "--no-separation", "--no-audio", "--no-progress"])

    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert status == 0
    assert report["config"]["settings"]["listener"] == str(tiny_model)
    assert load_model(tiny_model).info.production == "genre"  # the default production
    assert report["flags"] and "production 'gm'" in report["flags"][0]
    assert "production 'gm'" in capsys.readouterr().err
    heard = report["config"]["hearing"]  # who heard what, in report.json and at the top of report.html
    assert heard == {"inputs": f"knn ({tiny_model})", "renders": "mirloop, production gm",
                     "renders heard by": str(tiny_model)}
    page = (tmp_path / "out" / "report.html").read_text()
    assert "renders: <code>mirloop, production gm</code>" in page and f"heard by: <code>{tiny_model}" in page


def test_the_genre_production_ships_its_own_listener() -> None:
    """The model shipped for the genre production was trained on it, with the shipped model's
    features and catalog, and the default loop hears genre-production renders with it."""
    from mirloop.classify.backend import SHIPPED_MODELS
    from mirloop.classify.setup import installed_catalog_version

    for production, path in SHIPPED_MODELS.items():
        model = load_model(path)
        assert model.info.production == production
        assert model.info.catalog_version == installed_catalog_version()
        assert model.info.feature_backend == load_model(DEFAULT_MODEL).info.feature_backend
        assert (path / "evaluation" / "descriptors.json").is_file()

    config = loop_config({"renderer": {"production": "genre"}})
    assert choose_listener(config) == choose_listener(config, SHIPPED_MODELS["genre"])
    assert choose_listener(config).model == str(SHIPPED_MODELS["genre"])
    assert choose_listener(loop_config()) == choose_listener(config)  # the default production
    gm = loop_config({"renderer": {"production": "gm"}})
    assert choose_listener(gm).model == ""  # GM renders: the input classifier's model
