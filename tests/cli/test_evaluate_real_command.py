"""``mirloop evaluate-real`` on the committed manifest of real clips, and its error messages."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from mirloop.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "tests" / "data" / "real_music" / "manifest.csv"
#: The real-dev clips live next to the repository; MIRLOOP_REAL_DEV points elsewhere.
REAL_DEV = Path(os.environ.get("MIRLOOP_REAL_DEV", ROOT.parent / "shared" / "data" / "real-dev"))


@pytest.mark.slow
@pytest.mark.skipif(not REAL_DEV.is_dir(), reason="the real-dev clips live next to the repository")
def test_the_committed_manifest_of_real_clips_is_scored_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"

    code = main(["evaluate-real", str(MANIFEST), "--root", str(REAL_DEV), "-o", str(out), "--workers", "2"])

    captured = capsys.readouterr()
    assert code == 0, captured.err
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["n_scored"], summary["n_failed"], summary["n_unlabelled"]) == (8, 0, 1)
    assert summary["recording_agreement"]["n"] == 7  # the tracker module is left out
    assert set(summary["per_label"]) == {"orchestral", "electronic", "rock", "jazz", "ambient"}
    assert sum(map(sum, summary["confusion"]["counts"])) == 8
    tracks = list(csv.DictReader(io.StringIO((out / "tracks.csv").read_text())))
    assert len(tracks) == 8 and {t["agreed"] for t in tracks} <= {"yes", "no"}
    assert sum(t["agreed"] == "yes" for t in tracks) == summary["agreement"]["agreed"]
    assert f"genre agreement     {summary['agreement']['agreed']}/8" in captured.out
    assert captured.err.count("[") == 8  # one progress line per track


def test_the_command_is_listed() -> None:
    from click.testing import CliRunner

    from mirloop.cli.main import cli

    result = CliRunner().invoke(cli, ["--help"])
    assert "evaluate-real" in result.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--labels", "rock,techno"], "--labels: unknown value(s) ['techno']; choose from orchestral"),
        (["--kinds", "live"], "--kinds: unknown value(s) ['live']; choose from recording, module-render"),
        (["--labels", "pop"], "has no labelled track with label pop"),
        (["--basis", "guessed"], "--basis: unknown value(s) ['guessed']; choose from named, context"),
        (["--basis", "named"], "has no label_basis column (or leaves it empty); drop --basis"),
    ],
)
def test_bad_selections_are_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    code = main(["evaluate-real", str(MANIFEST), "-o", str(tmp_path / "out"), *arguments])

    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and message in err and err.count("\n") == 1


def test_a_broken_manifest_is_one_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "manifest.csv"
    text = MANIFEST.read_text().splitlines()
    broken.write_text("\n".join([*text, text[1]]) + "\n")

    code = main(["evaluate-real", str(broken), "-o", str(tmp_path / "out")])

    err = capsys.readouterr().err
    assert code == 2 and "duplicate track_id 'hedgewars__rock'" in err and err.count("\n") == 1


def test_when_no_track_can_be_read_every_file_is_still_written_and_the_command_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"

    code = main(["evaluate-real", str(MANIFEST), "--root", str(tmp_path), "-o", str(out), "--labels", "rock"])

    captured = capsys.readouterr()
    assert code == 1 and "1 of 1 track(s) could not be analysed (hedgewars__rock)" in captured.err
    assert "genre agreement     no tracks" in captured.out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_scored"] == 0 and summary["agreement"]["agreement"] is None
    assert (out / "confusion.png").stat().st_size > 0
