"""The development set's ``manifest.csv``: one row per audio file, written atomically.

The first eight columns are the contract every reader relies on; the rest are extras, the first
of them ``label_basis`` (``named`` or ``context``: how the label follows from its evidence). Labelled
rows come first (by label, group, track), then the unlabelled ones, so the two stay apart and the
same build writes the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from pathlib import Path

from devsets.common import csv_text, read_csv_rows
from devsets.real_music.sources import KINDS, SourcesError, check_basis, check_label
from mirloop.evaluation.real_manifest import MANIFEST_COLUMNS

#: The contract's columns, in order (those ``mirloop evaluate-real`` reads).
CONTRACT_COLUMNS = MANIFEST_COLUMNS
#: Extra columns, after the contract's.
EXTRA_COLUMNS = ("label_basis", "duration_s", "original_path", "sha256", "hint")


@dataclass(frozen=True)
class Row:
    """One audio file of the set."""

    track_id: str
    path: str
    coarse_label: str
    group: str
    source: str
    kind: str
    license: str
    evidence: str
    label_basis: str = ""
    duration_s: str = ""
    original_path: str = ""
    sha256: str = ""
    hint: str = ""


assert tuple(f.name for f in fields(Row)) == CONTRACT_COLUMNS + EXTRA_COLUMNS


def check_row(row: Row) -> Row:
    """``row`` if it may go into a manifest, else a :class:`SourcesError` naming the problem."""
    where = f"manifest row {row.track_id!r}"
    check_label(row.coarse_label, where)
    if row.kind not in KINDS:
        raise SourcesError(f"{where}: unknown kind {row.kind!r}; use one of {', '.join(KINDS)}")
    if row.coarse_label and not row.evidence:
        raise SourcesError(f"{where}: label {row.coarse_label!r} without evidence")
    check_basis(row.label_basis, row.coarse_label, where)
    if not row.license:
        raise SourcesError(f"{where}: no license; give the package a 'license' in sources.toml")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_\-]*", row.track_id):
        raise SourcesError(f"{where}: track_id is not filesystem-safe")
    return row


def sort_rows(rows: list[Row]) -> list[Row]:
    """Labelled rows (by label, group, track), then unlabelled rows (by group, track)."""
    return sorted(rows, key=lambda r: (r.coarse_label == "", r.coarse_label, r.group, r.track_id))


def manifest_text(rows: list[Row]) -> str:
    """The CSV text of ``rows`` (checked, sorted, unique track ids)."""
    seen: set[str] = set()
    for row in rows:
        check_row(row)
        if row.track_id in seen:
            raise SourcesError(
                f"track_id {row.track_id!r} appears twice; make the file names or globs distinct"
            )
        seen.add(row.track_id)
    return csv_text(Row, sort_rows(rows))


def read_manifest(path: Path) -> list[Row]:
    """The rows of an existing manifest (an absent file has none)."""
    rows = read_csv_rows(path, Row, required=CONTRACT_COLUMNS)
    # a manifest from before the label_basis column holds only labels whose evidence names the genre
    return [replace(r, label_basis="named") if r.coarse_label and not r.label_basis else r for r in rows]
