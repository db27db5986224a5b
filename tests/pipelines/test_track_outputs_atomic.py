"""A track's outputs appear together or not at all; a killed run's temporaries go on the next run."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest

from mirloop.pipelines.batch import analyze_tracks
from tests.pipelines.audio_files import pulse_track, write
from tests.pipelines.toy_backends import TOY_CONFIG

pytestmark = [
    pytest.mark.usefixtures("toy_registry"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema"),
]

FIVE_FILES = ["good.grid.parquet", "good.jams", "good.png", "good.segments.csv", "good.segments.parquet"]


@pytest.fixture
def track(tmp_path: Path) -> Path:
    (tmp_path / "in").mkdir()
    return write(tmp_path / "in" / "good.flac", pulse_track(6.0), 22050)


def fail_on_second_call(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    """``write_parquet`` writes the grid table, then fails on the segment table."""
    from mirloop.io import tables

    real = tables.write_parquet
    calls = []

    def failing(table: object, path: str | os.PathLike[str]) -> Path:
        calls.append(path)
        if len(calls) == 2:
            raise error
        return real(table, path)  # type: ignore[arg-type]

    monkeypatch.setattr(tables, "write_parquet", failing)


def test_a_crash_between_files_leaves_no_part_of_the_track_and_a_rerun_completes_it(
    track: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        fail_on_second_call(patch, RuntimeError("the process dies here"))
        (report,) = analyze_tracks([track], out, config=TOY_CONFIG)

    assert not report.ok and "the process dies here" in (report.error or "")
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]  # no folder, no temporaries

    (report,) = analyze_tracks([track], out, config=TOY_CONFIG)
    assert report.ok and sorted(p.name for p in (out / "good").iterdir()) == FIVE_FILES


def test_a_full_disk_keeps_the_previous_outputs_whole(
    track: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    analyze_tracks([track], out, config=TOY_CONFIG)
    before = {p.name: p.read_bytes() for p in (out / "good").iterdir()}
    fail_on_second_call(monkeypatch, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    slower = {**TOY_CONFIG, "tempo": {"backend": "toy", "bpm": 90}}  # new results, not the same bytes

    (report,) = analyze_tracks([track], out, config=slower)

    assert not report.ok
    assert "outputs failed (No space left on device); none of them were written" in str(report.error)
    assert {p.name: p.read_bytes() for p in (out / "good").iterdir()} == before
    assert sorted(p.name for p in out.iterdir()) == ["good", "summary.json"]


def test_a_rerun_keeps_files_the_user_put_in_a_track_folder_and_drops_a_figure_no_longer_made(
    track: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    analyze_tracks([track], out, config=TOY_CONFIG)
    (out / "good" / "notes.txt").write_text("listen to the bridge")

    analyze_tracks([track], out, config=TOY_CONFIG, figure=False)

    assert (out / "good" / "notes.txt").read_text() == "listen to the bridge"
    assert sorted(p.name for p in (out / "good").iterdir()) == sorted(
        [*(name for name in FIVE_FILES if name != "good.png"), "notes.txt"]
    )


def test_the_next_run_removes_stale_temporaries_of_mirloop_and_nothing_else(
    track: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    analyze_tracks([track], out, config=TOY_CONFIG)
    stale = [
        out / ".summary.json.k3j9x0qa.tmp.json",  # a file being written when the run was killed
        out / "good" / ".good.jams.a1b2c3d4.tmp.jams",
        out / ".other.zz9_yy8x.tmp",  # a track folder being filled
    ]
    for path in stale[:2]:
        path.write_text("half")
    stale[2].mkdir()
    (stale[2] / "other.jams").write_text("{}")
    kept = [out / ".hidden-notes.tmp", out / "good" / ".good.jams.tmp", out / "draft.tmp.json"]
    for path in kept:
        path.write_text("the user's")
    a_running_run = out / ".third.q1w2e3r4.tmp"  # newer than this run's start: another run's
    a_running_run.mkdir()
    hour_ago = time.time() - 3600
    for path in [*stale, *kept]:
        os.utime(path, (hour_ago, hour_ago))
    os.utime(a_running_run, (time.time() + 3600, time.time() + 3600))

    analyze_tracks([track], out, config=TOY_CONFIG)

    assert not [path for path in stale if path.exists()]
    assert all(path.exists() for path in kept) and a_running_run.exists()
