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


def test_folders_are_searched_for_audio_and_an_empty_one_fails_named(track: Path, tmp_path: Path) -> None:
    folder = tmp_path / "album" / "disc 1"
    folder.mkdir(parents=True)
    write(folder / "b.flac", pulse_track(12.0), 22050)
    write(folder / "a.wav", pulse_track(12.0), 44100)
    (tmp_path / "album" / "notes.txt").write_text("not audio")
    empty = tmp_path / "empty"
    empty.mkdir()

    result = CliRunner().invoke(cli, ["classify", str(tmp_path / "album"), str(empty), *TOY, "--json"])

    reports = json.loads(result.stdout)
    assert result.exit_code == 1
    assert [r["track"] for r in reports] == [str(empty), str(folder / "a.wav"), str(folder / "b.flac")]
    assert "holds no audio files" in reports[0]["error"] and all("labels" in r for r in reports[1:])
    assert "1 of 3 track(s) failed" in result.stderr


def test_a_track_shorter_than_a_window_is_classified_flagged_and_warned_about_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mirloop.cli.main import main

    short = write(tmp_path / "short.wav", pulse_track(3.0), 22050)

    assert main(["classify", str(short), *TOY, "--json"]) == 0

    captured = capsys.readouterr()
    assert json.loads(captured.out)["labels"]["genre"]
    assert captured.err.splitlines() == [
        f"warning: {short}: the track lasts 3.00 s, less than one 10-s analysis window; its tempo, key "
        "and labels rest on that little audio (the analysis is flagged 'short')"
    ]
