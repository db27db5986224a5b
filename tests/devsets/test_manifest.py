"""manifest.csv: the contract's columns, labelled rows apart from unlabelled ones, atomic writes."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest
from devsets.common import write_atomic
from devsets.real_music.manifest import CONTRACT_COLUMNS, Row, manifest_text, read_manifest
from devsets.real_music.sources import SourcesError

ROW = Row(
    track_id="pkg__song",
    path="audio/pkg/song.ogg",
    coarse_label="rock",
    group="pkg",
    source="pkg 1.0-1",
    kind="recording",
    license="GPL-2",
    evidence="GENRE 'Rock'",
    label_basis="named",
    duration_s="60.00",
)


def test_the_header_starts_with_the_contract_columns_in_order() -> None:
    header = next(csv.reader(io.StringIO(manifest_text([ROW]))))
    assert tuple(header[:8]) == CONTRACT_COLUMNS
    assert CONTRACT_COLUMNS == (
        "track_id",
        "path",
        "coarse_label",
        "group",
        "source",
        "kind",
        "license",
        "evidence",
    )


def test_labelled_rows_come_first_then_the_unlabelled_ones() -> None:
    rows = [
        replace(ROW, track_id="a__x", group="a", coarse_label="", evidence="", label_basis=""),
        replace(ROW, track_id="b__y", group="b", coarse_label="rock"),
        replace(ROW, track_id="c__z", group="c", coarse_label="ambient"),
    ]
    ids = [r["track_id"] for r in csv.DictReader(io.StringIO(manifest_text(rows)))]
    assert ids == ["c__z", "b__y", "a__x"]


def test_label_basis_is_the_first_column_after_the_contracts() -> None:
    header = next(csv.reader(io.StringIO(manifest_text([ROW]))))
    assert header[8] == "label_basis"
    context = replace(ROW, track_id="pkg__other", label_basis="context")
    rows = list(csv.DictReader(io.StringIO(manifest_text([ROW, context]))))
    assert {r["track_id"]: r["label_basis"] for r in rows} == {"pkg__song": "named", "pkg__other": "context"}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (replace(ROW, label_basis=""), "unknown label basis ''; use one of named, context"),
        (replace(ROW, label_basis="heard"), "unknown label basis 'heard'"),
        (
            replace(ROW, coarse_label="", evidence="", label_basis="context"),
            "label basis 'context' without a label",
        ),
    ],
)
def test_a_label_basis_that_does_not_fit_the_label_is_refused(row: Row, message: str) -> None:
    with pytest.raises(SourcesError, match=message):
        manifest_text([row])


def test_a_manifest_from_before_the_label_basis_column_reads_as_named(tmp_path: Path) -> None:
    path = tmp_path / "manifest.csv"
    path.write_text(
        ",".join(CONTRACT_COLUMNS) + "\n"
        "a__x,audio/a/x.ogg,rock,a,a 1,recording,GPL-2,'Rock'\n"
        "a__y,audio/a/y.ogg,,a,a 1,recording,GPL-2,\n"
    )
    assert [r.label_basis for r in read_manifest(path)] == ["named", ""]


def test_a_label_outside_the_contract_is_refused() -> None:
    with pytest.raises(SourcesError, match="unknown coarse label 'blues'"):
        manifest_text([replace(ROW, coarse_label="blues")])


def test_a_track_id_twice_is_refused() -> None:
    with pytest.raises(SourcesError, match="appears twice"):
        manifest_text([ROW, replace(ROW, path="audio/pkg/other.ogg")])


def test_a_track_id_must_be_filesystem_safe() -> None:
    with pytest.raises(SourcesError, match="filesystem-safe"):
        manifest_text([replace(ROW, track_id="pkg/../song")])


def test_a_row_without_a_license_is_refused() -> None:
    with pytest.raises(SourcesError, match="no license"):
        manifest_text([replace(ROW, license="")])


def test_the_manifest_reads_back_as_written(tmp_path: Path) -> None:
    path = tmp_path / "manifest.csv"
    write_atomic(path, manifest_text([ROW]).encode())
    assert read_manifest(path) == [ROW]


def test_an_identical_write_touches_nothing(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "f.bin"
    assert write_atomic(path, b"abc") is True
    assert write_atomic(path, b"abc") is False
    assert write_atomic(path, b"abcd") is True
    assert path.read_bytes() == b"abcd"
    assert [p.name for p in path.parent.iterdir()] == ["f.bin"]  # no temporary file left behind
