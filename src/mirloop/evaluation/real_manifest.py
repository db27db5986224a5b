"""A labelled real-music manifest: ``manifest.csv`` next to the audio it lists.

Columns, in this order (extra columns may follow): ``track_id`` (unique, filesystem-safe),
``path`` (relative to the manifest's folder), ``coarse_label`` (a label of the coarse-genre
mapping, or empty for unlabelled audio, never scored), ``group`` (the split unit, e.g. the Debian
package), ``source``, ``kind`` (:data:`KINDS`), ``license`` and ``evidence`` (why the label).
An optional extra column ``label_basis`` says how a label follows from its evidence
(:data:`LABEL_BASES`: ``named`` where the evidence names the genre, ``context`` where it follows
from quoted context).
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

from attrs import frozen

from mirloop.errors import DatasetError
from mirloop.evaluation.coarse_genres import CoarseGenres

#: The manifest's leading columns, in order.
MANIFEST_COLUMNS: tuple[str, ...] = (
    "track_id",
    "path",
    "coarse_label",
    "group",
    "source",
    "kind",
    "license",
    "evidence",
)
#: How a track's audio came to be: a recording, a tracker module or a score rendered to audio.
KINDS: tuple[str, ...] = ("recording", "module-render", "score-render")
#: How a label follows from its evidence (the optional ``label_basis`` column).
LABEL_BASES: tuple[str, ...] = ("named", "context")
BASIS_COLUMN = "label_basis"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


@frozen
class ManifestTrack:
    """One row of a manifest; ``audio`` is the resolved path of its file."""

    track_id: str
    audio: Path
    coarse_label: str
    group: str
    source: str
    kind: str
    license: str
    evidence: str
    label_basis: str = ""  # empty when the manifest has no label_basis column

    @property
    def labelled(self) -> bool:
        return bool(self.coarse_label)


@frozen
class Manifest:
    """The rows of a manifest, in file order, with the folder their paths are relative to."""

    path: Path
    root: Path
    tracks: tuple[ManifestTrack, ...]

    @property
    def labelled(self) -> tuple[ManifestTrack, ...]:
        return tuple(t for t in self.tracks if t.labelled)

    def select(
        self,
        *,
        kinds: tuple[str, ...] = (),
        labels: tuple[str, ...] = (),
        bases: tuple[str, ...] = (),
    ) -> tuple[ManifestTrack, ...]:
        """The labelled tracks of the given ``kinds``, coarse ``labels`` and label ``bases`` (empty: all)."""
        return tuple(
            t
            for t in self.labelled
            if (not kinds or t.kind in kinds)
            and (not labels or t.coarse_label in labels)
            and (not bases or t.label_basis in bases)
        )


def read_manifest(
    path: str | os.PathLike[str], *, coarse: CoarseGenres, root: str | os.PathLike[str] | None = None
) -> Manifest:
    """Read and check a manifest; paths resolve against ``root`` (default: the manifest's folder).

    Raises :class:`~mirloop.errors.DatasetError` naming the line for missing or misordered
    columns, an empty or unsafe ``track_id``, a duplicate ``track_id``, an unknown coarse label or
    kind, a missing ``group``, a labelled row whose ``label_basis`` (when the column is there) is
    not one of :data:`LABEL_BASES`, or a path that is absolute or leaves the folder. A listed file that
    does not exist is *not* an error here: the evaluation reports it and goes on.
    """
    file = Path(path)
    base = Path(os.path.abspath(root if root is not None else file.parent))
    try:
        text = file.read_text("utf-8-sig")
    except FileNotFoundError as exc:
        raise DatasetError(f"manifest {file} does not exist") from exc
    except UnicodeDecodeError as exc:
        raise DatasetError(f"manifest {file} is not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None:
        raise DatasetError(f"manifest {file} is empty; it needs the header {','.join(MANIFEST_COLUMNS)}")
    header = [h.strip() for h in header]
    if tuple(header[: len(MANIFEST_COLUMNS)]) != MANIFEST_COLUMNS:
        missing = [c for c in MANIFEST_COLUMNS if c not in header]
        problem = f"lacks column(s) {missing}" if missing else f"has its columns in the order {header}"
        raise DatasetError(
            f"manifest {file} {problem}; the header must start with {','.join(MANIFEST_COLUMNS)}"
        )
    basis_at = header.index(BASIS_COLUMN) if BASIS_COLUMN in header else None
    tracks: list[ManifestTrack] = []
    seen: dict[str, int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        where = f"{file}:{line}"
        if len(cells) < len(MANIFEST_COLUMNS):
            raise DatasetError(f"{where}: {len(cells)} cells, expected at least {len(MANIFEST_COLUMNS)}")
        row = dict(zip(MANIFEST_COLUMNS, (c.strip() for c in cells)))
        track_id = row["track_id"]
        if not _SAFE_ID.match(track_id):
            raise DatasetError(
                f"{where}: track_id {track_id!r} is empty or not filesystem-safe; use letters, digits, "
                "'.', '_', '+' and '-'"
            )
        if track_id in seen:
            raise DatasetError(f"{where}: duplicate track_id {track_id!r} (first on line {seen[track_id]})")
        seen[track_id] = line
        if row["coarse_label"]:
            coarse.check_label(row["coarse_label"], where)
        if row["kind"] not in KINDS:
            raise DatasetError(f"{where}: kind {row['kind']!r} is not one of {', '.join(KINDS)}")
        if not row["group"]:
            raise DatasetError(f"{where}: group is empty; name the split unit (e.g. the Debian package)")
        basis = cells[basis_at].strip() if basis_at is not None and basis_at < len(cells) else ""
        if basis_at is not None and row["coarse_label"] and basis not in LABEL_BASES:
            raise DatasetError(
                f"{where}: label_basis {basis!r} is not one of {', '.join(LABEL_BASES)}; "
                "say whether the evidence names the genre (named) or implies it (context)"
            )
        tracks.append(
            ManifestTrack(
                track_id=track_id,
                audio=_inside(base, row["path"], where),
                coarse_label=row["coarse_label"],
                group=row["group"],
                source=row["source"],
                kind=row["kind"],
                license=row["license"],
                evidence=row["evidence"],
                label_basis=basis,
            )
        )
    return Manifest(file, base, tuple(tracks))


def _inside(base: Path, relative: str, where: str) -> Path:
    """``base / relative``, refused when ``relative`` is empty, absolute or leaves ``base``."""
    if not relative:
        raise DatasetError(f"{where}: path is empty")
    if os.path.isabs(relative) or Path(relative).drive:
        raise DatasetError(f"{where}: path {relative!r} is absolute; give it relative to {base}")
    resolved = Path(os.path.normpath(base / relative))
    if resolved != base and base not in resolved.parents:
        raise DatasetError(f"{where}: path {relative!r} leaves the manifest's folder {base}")
    return resolved
