"""A damaged track that is still analysed says so: terminal, Analysis flags, JAMS sandbox, summary."""

from __future__ import annotations

import json
from pathlib import Path

import jams
import pytest

from mirloop.pipelines.batch import analyze_tracks
from tests.io.damaged_files import cut, ogg, wav
from tests.pipelines.toy_backends import TOY_CONFIG

pytestmark = [
    pytest.mark.usefixtures("toy_registry"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema"),
]

TOY_OPTIONS = ["--use", "features=toy", "--use", "tempo=toy", "--use", "key=toy", "--use", "segmenter=toy"]


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    ogg(folder / "whole.ogg", 12.0)
    cut(wav(folder / "cut.wav", 40.0), keep=0.99)  # 0.4 s of 40 s missing: analysed, flagged
    ogg(folder / ".whole.ogg.a1b2c3d4.tmp.ogg", 3.0)  # a killed run's temporary file: not a track
    return folder


def test_a_damaged_track_is_analysed_and_its_damage_reaches_every_output(
    inputs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    notes: list[str] = []

    reports = analyze_tracks([inputs], out, config=TOY_CONFIG, figure=False, on_note=notes.append)

    assert [Path(r.source).name for r in reports] == ["cut.wav", "whole.ogg"]
    damaged, whole = reports
    assert damaged.ok and damaged.flags == ("damaged",) and whole.flags == () and whole.damage is None
    assert damaged.damage is not None and damaged.damage["missing_seconds"] == pytest.approx(0.4, abs=0.01)
    sandbox = jams.load(str(out / "cut" / "cut.jams")).sandbox.mirloop
    assert sandbox["flags"] == ["damaged"] and sandbox["damage"] == damaged.damage
    summary = json.loads((out / "summary.json").read_text())
    assert [entry["source"] for entry in summary["damaged"]] == [damaged.source]
    assert summary["damaged"][0]["problems"] == damaged.damage["problems"]
    assert notes == [f"{inputs / '.whole.ogg.a1b2c3d4.tmp.ogg'}: skipped, a temporary file an interrupted "
                     "mirloop run was writing (not a track)"]
    assert summary["skipped"] == notes


def test_analyze_warns_on_the_terminal_naming_the_file_and_what_is_missing(
    inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mirloop.cli.main import main

    status = main(["analyze", str(inputs), "-o", str(tmp_path / "out"), "--no-figure", "-q", *TOY_OPTIONS])

    captured = capsys.readouterr()
    assert status == 0
    damaged = f"warning: {inputs / 'cut.wav'}: the file is damaged"
    assert f"{damaged} — 0.40 s of 40.00 s did not decode (1.00 %): the WAV header declares" in captured.err
    assert "note: " in captured.err and ".whole.ogg.a1b2c3d4.tmp.ogg: skipped" in captured.err
    assert "cut.wav [damaged]" in captured.out and "2 of 2 track(s) analysed" in captured.out
