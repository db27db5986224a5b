"""What both development-set builders share: atomic writes, a render cache, checksums and ids, the
build report, and a manifest as CSV rows of a dataclass."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Callable, Collection, Iterable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from mirloop.errors import DatasetError

RowT = TypeVar("RowT")


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


def cached_pair(audio: Path, sidecar: Path, make: Callable[[], tuple[bytes, bytes]]) -> tuple[bytes, bytes]:
    """The bytes of a cached render (``audio``) and its ``sidecar`` when both are in the cache, else
    ``make()``'s, written there atomically (a render missing either file is made again)."""
    if audio.is_file() and sidecar.is_file():
        return audio.read_bytes(), sidecar.read_bytes()
    made, note = make()
    write_atomic(sidecar, note)
    write_atomic(audio, made)
    return made, note


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def slug(text: str) -> str:
    """A filesystem-safe, lower-case form of ``text`` (runs of other characters become ``_``)."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "track"


@dataclass
class BuildReport:
    """What a build did: its warnings (printed as they come) and the files written or left as they were."""

    warnings: list[str] = field(default_factory=list)
    written: int = 0
    unchanged: int = 0

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        print(f"  warning: {message}", flush=True)

    def wrote(self, changed: bool) -> None:
        """Count one file :func:`write_atomic` wrote (``changed``) or found identical."""
        if changed:
            self.written += 1
        else:
            self.unchanged += 1


def csv_text(row_type: type, rows: Iterable[Any]) -> str:
    """CSV text: a header of ``row_type``'s field names, then one line per (dataclass) row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(f.name for f in fields(row_type))
    for row in rows:
        writer.writerow(asdict(row).values())
    return out.getvalue()


def read_csv_rows(path: Path, row_type: type[RowT], *, required: Collection[str] = ()) -> list[RowT]:
    """The rows of a CSV file :func:`csv_text` wrote (none if it is absent); a column the file lacks
    is empty, unless it is ``required`` (then :class:`~mirloop.errors.DatasetError`)."""
    if not path.is_file():
        return []
    names = [f.name for f in fields(row_type)]  # type: ignore[arg-type]
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise DatasetError(
                f"{path}: missing column(s) {', '.join(missing)}; delete it to rebuild from scratch"
            )
        return [row_type(**{k: rec.get(k) or "" for k in names}) for rec in reader]
