"""``mirloop classify`` with a classifier backend that needs no trained model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mirloop.cli.main import cli
from tests.pipelines.audio_files import pulse_track, write

pytestmark = pytest.mark.usefixtures("toy_registry")
TOY = ["--use", "features=toy,classifier=toy"]


@pytest.fixture
def track(tmp_path: Path) -> Path:
    return write(tmp_path / "pulse.wav", pulse_track(16.0), 22050)


def run(*args: object) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_a_backend_without_a_model_classifies_the_targets_it_predicts(track: Path) -> None:
    result = run("classify", track, *TOY, "--set", "classifier.threshold=0.05", "--json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["model"] == "toy classifier backend"
    assert report["labels"] == {"genre": "loud"}
    assert all(set(window["labels"]) == {"genre"} for window in report["windows"])


def test_the_text_report_runs_windows_of_the_first_target_without_a_descriptor(track: Path) -> None:
    result = run("classify", track, *TOY, "--set", "classifier.threshold=0.05")

    assert result.exit_code == 0, result.output
    assert "genre       loud" in result.output
    assert "windows (start s): 0–6 loud" in result.output


def test_mirloop_model_names_the_model_while_no_classifier_is_configured(
    track: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from mirloop.classify.backend import DEFAULT_MODEL

    model = shutil.copytree(DEFAULT_MODEL, tmp_path / "my-model")
    monkeypatch.setenv("MIRLOOP_MODEL", str(model))
    result = run("classify", track, "--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["model"] == str(model)
