"""``mirloop analyze``: outputs per track, a summary (or JSON), status 1 when any track failed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mirloop.cli.main import cli, main
from tests.pipelines.audio_files import pulse_track, write

pytestmark = [
    pytest.mark.usefixtures("toy_registry"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema"),
]
TOY = ["--use", "features=toy,tempo=toy,key=toy,segmenter=toy"]


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write(tmp_path / "good.wav", pulse_track(12.0), 22050)


@pytest.fixture
def bad(tmp_path: Path) -> Path:
    path = tmp_path / "bad.mp3"
    path.write_bytes(b"\x00\x01 definitely not mpeg audio" * 100)
    return path


def run(*args: object) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_summary_lists_each_track(good: Path, tmp_path: Path) -> None:
    result = run("analyze", good, "-o", tmp_path / "out", *TOY, "--no-figure")

    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()[:2]
    assert header.split()[:4] == ["track", "duration", "tempo", "key"]
    assert row.split()[:7] == ["good.wav", "12.0", "s", "120.0", "BPM", "A", "minor"]
    assert "1 of 1 track(s) analysed" in result.stdout
    assert (tmp_path / "out" / "good" / "good.jams").is_file()


def test_json_report_parses(good: Path, tmp_path: Path) -> None:
    result = run("analyze", good, "-o", tmp_path / "out", *TOY, "--no-figure", "--json",
                 "--set", "tempo.bpm=100")

    report = json.loads(result.stdout)
    assert report["n_ok"] == 1 and report["n_failed"] == 0
    (track,) = report["tracks"]
    assert track["tempo_bpm"] == 100.0 and track["n_segments"] == 2 and track["ok"] is True
    assert track["realtime_factor"] > 0
    assert report["backends"]["tempo"] == "toy"


def test_a_failed_track_is_listed_and_sets_the_exit_status(good: Path, bad: Path, tmp_path: Path) -> None:
    result = run("analyze", bad, good, "-o", tmp_path / "out", *TOY, "--no-figure")

    assert result.exit_code == 1
    assert "failed:" in result.stdout and f"{bad}: " in result.stdout
    assert "not a recognised audio file" in result.stdout
    assert "good.wav" in result.stdout  # the other track still finished
    assert "1 of 2 track(s) failed" in result.stderr
    assert (tmp_path / "out" / "good" / "good.grid.parquet").is_file()


def test_json_still_parses_when_a_track_failed(good: Path, bad: Path, tmp_path: Path) -> None:
    result = run("analyze", good, bad, "-o", tmp_path / "out", *TOY, "--no-figure", "--json")

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [t["ok"] for t in report["tracks"]] == [True, False]
    assert "not a recognised audio file" in report["tracks"][1]["error"]


def test_a_backend_returning_the_wrong_type_fails_the_track_naming_it(good: Path, tmp_path: Path) -> None:
    result = run("analyze", good, "-o", tmp_path / "out", *TOY, "--use", "key=dict", "--no-figure")

    assert result.exit_code == 1
    assert "key backend 'dict' from plugin 'tests.pipelines.toy_backends'" in result.stdout
    assert "estimate_key() returned dict, expected KeyEstimate" in result.stdout
    assert "results in" not in result.stdout
    assert "0 of 1 track(s) analysed; nothing written" in result.stdout


def test_entry_point_returns_1_for_failed_tracks(good: Path, bad: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["analyze", str(good), str(bad), "-o", str(tmp_path / "out"), *TOY, "--no-figure", "-q"])

    assert status == 1
    assert "error: 1 of 2 track(s) failed" in capsys.readouterr().err


def test_a_bad_configuration_fails_before_any_track(good: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["analyze", str(good), "-o", str(tmp_path / "out"), "--use", "tempo=nope"])

    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("error: no tempo backend named 'nope'") and "toy" in err
    assert not (tmp_path / "out").exists()


def test_a_folder_is_analysed_track_by_track(good: Path, tmp_path: Path) -> None:
    write(tmp_path / "second.flac", pulse_track(4.0), 22050)

    result = run("analyze", tmp_path, "-o", tmp_path / "out", *TOY, "--no-figure", "--json")

    names = [Path(t["source"]).name for t in json.loads(result.stdout)["tracks"]]
    assert names == ["good.wav", "second.flac"]


def test_output_option_is_required(good: Path) -> None:
    result = CliRunner().invoke(cli, ["analyze", str(good)])

    assert result.exit_code == 2 and "--output" in result.output


def test_same_named_tracks_are_shown_with_their_output_folders(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "a.wav", pulse_track(4.0), 22050)
    write(folder / "a.flac", pulse_track(6.0), 22050)

    text = run("analyze", folder, "-o", tmp_path / "out", *TOY, "--no-figure")
    as_json = run("analyze", folder, "-o", tmp_path / "out", *TOY, "--no-figure", "--json")

    assert text.exit_code == 0, text.output
    rows = {line.split()[0]: line.split()[-1] for line in text.stdout.splitlines()[1:3]}
    assert rows == {"a.flac": "a.flac/", "a.wav": "a.wav/"}
    report = json.loads(as_json.stdout)
    assert {Path(t["source"]).name: Path(t["folder"]).name for t in report["tracks"]} == {
        "a.wav": "a.wav", "a.flac": "a.flac",
    }
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["tracks"] == report["tracks"]
