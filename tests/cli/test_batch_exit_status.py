"""Batch commands go on past a bad input, list every failure, and exit with status 1 when any failed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mirloop.cli.main import main
from tests.pipelines.audio_files import pulse_track, write

pytestmark = [
    pytest.mark.usefixtures("toy_registry"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema"),
]
TOY = ["--use", "features=toy,tempo=toy,key=toy,segmenter=toy"]


def test_a_folder_without_audio_is_reported_and_the_other_tracks_are_analysed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "notes"
    empty.mkdir()
    (empty / "readme.txt").write_text("no audio here")
    good = write(tmp_path / "good.wav", pulse_track(4.0), 22050)
    out = tmp_path / "out"

    status = main(["analyze", str(empty), str(good), "-o", str(out), *TOY, "--no-figure", "--json"])

    assert status == 1
    report = json.loads(capsys.readouterr().out)
    assert [t["ok"] for t in report["tracks"]] == [True, False]
    assert report["failed"] == [{"source": str(empty), "error": f"{empty}: folder holds no audio files "
                                 "(.wav, .flac, .ogg, .oga, .opus, .mp3, .aif, .aiff, .w64, .rf64, .caf)"}]
    assert (out / "good" / "good.jams").is_file()
    assert json.loads((out / "summary.json").read_text())["failed"] == report["failed"]


def test_classify_goes_past_missing_and_unreadable_files_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = str(write(tmp_path / "good.wav", pulse_track(6.0), 22050))
    garbled = tmp_path / "garbled.ogg"
    garbled.write_bytes(b"OggS" + bytes(range(256)) * 8)
    missing, folder = str(tmp_path / "missing.wav"), tmp_path / "no audio"
    folder.mkdir()
    (folder / "notes.txt").write_text("not audio")

    status = main(["classify", missing, str(garbled), str(folder), good, "--json"])

    captured = capsys.readouterr()
    assert status == 1
    reports = json.loads(captured.out)
    assert [r["track"] for r in reports] == [str(folder), missing, str(garbled), good]  # folders first
    assert [("error" in r) for r in reports] == [True, True, True, False]
    assert reports[3]["labels"]["descriptor"]
    assert "error: 3 of 4 track(s) failed" in captured.err
    for bad in (missing, str(garbled), str(folder)):
        assert f"error: {bad}" in captured.err
