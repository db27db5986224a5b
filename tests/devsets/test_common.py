"""What both development-set builders share: the manifest as CSV rows of a dataclass, the report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from devsets.common import BuildReport, cached_pair, csv_text, read_csv_rows, write_atomic

from mirloop.errors import DatasetError


@dataclass(frozen=True)
class Item:
    track_id: str
    path: str
    note: str = ""


ROWS = [Item("a", "audio/a.flac", "quoted, with a comma"), Item("b", "audio/b.flac")]


def test_rows_read_back_as_written(tmp_path: Path) -> None:
    text = csv_text(Item, ROWS)
    assert text.splitlines()[:2] == ["track_id,path,note", 'a,audio/a.flac,"quoted, with a comma"']

    write_atomic(tmp_path / "manifest.csv", text.encode())
    assert read_csv_rows(tmp_path / "manifest.csv", Item) == ROWS


def test_an_absent_file_has_no_rows_and_an_absent_column_reads_empty(tmp_path: Path) -> None:
    assert read_csv_rows(tmp_path / "absent.csv", Item) == []

    (tmp_path / "old.csv").write_text("track_id,path\na,audio/a.flac\n")
    assert read_csv_rows(tmp_path / "old.csv", Item) == [Item("a", "audio/a.flac")]


def test_a_required_column_the_file_lacks_is_named(tmp_path: Path) -> None:
    (tmp_path / "old.csv").write_text("track_id\na\n")
    with pytest.raises(DatasetError, match=r"missing column\(s\) path; delete it to rebuild"):
        read_csv_rows(tmp_path / "old.csv", Item, required=("track_id", "path"))


def test_the_report_counts_written_and_unchanged_files(tmp_path: Path) -> None:
    report = BuildReport()
    report.wrote(write_atomic(tmp_path / "x", b"1"))
    report.wrote(write_atomic(tmp_path / "x", b"1"))
    report.wrote(write_atomic(tmp_path / "x", b"2"))
    assert (report.written, report.unchanged) == (2, 1)


def test_a_cached_render_is_made_once_and_made_again_when_a_file_is_missing(tmp_path: Path) -> None:
    made: list[int] = []

    def make() -> tuple[bytes, bytes]:
        made.append(1)
        return b"audio", b"note"

    audio, sidecar = tmp_path / "cache" / "r.flac", tmp_path / "cache" / "r.json"
    assert cached_pair(audio, sidecar, make) == (b"audio", b"note")
    assert cached_pair(audio, sidecar, make) == (b"audio", b"note")
    assert len(made) == 1 and audio.read_bytes() == b"audio" and sidecar.read_bytes() == b"note"

    sidecar.unlink()
    assert cached_pair(audio, sidecar, make) == (b"audio", b"note")
    assert len(made) == 2
