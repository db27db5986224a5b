"""The development set's ``manifest.csv``: one row per audio file, written atomically.

The first eight columns are the contract every reader relies on; the rest are extras, the first
of them ``label_basis`` (``named`` or ``context``: how the label follows from its evidence). Labelled
rows come first (by label, group, track), then the unlabelled ones, so the two stay apart and the
same build writes the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

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


def slug(text: str) -> str:
    """A filesystem-safe, lower-case form of ``text`` (runs of other characters become ``_``)."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "track"


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
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CONTRACT_COLUMNS + EXTRA_COLUMNS)
    for row in sort_rows(rows):
        writer.writerow(asdict(row).values())
    return out.getvalue()


def read_manifest(path: Path) -> list[Row]:
    """The rows of an existing manifest (an absent file has none)."""
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in CONTRACT_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SourcesError(
                f"{path}: missing column(s) {', '.join(missing)}; delete it to rebuild from scratch"
            )
        names = [f.name for f in fields(Row)]
        rows = [Row(**{k: rec.get(k) or "" for k in names}) for rec in reader]
    # a manifest from before the label_basis column holds only labels whose evidence names the genre
    return [replace(r, label_basis="named") if r.coarse_label and not r.label_basis else r for r in rows]


def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` through a temporary file and a rename; False if already identical."""
    if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
