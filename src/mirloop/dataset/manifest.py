"""The dataset's manifest: one typed row per render, read and written here only.

A render's :class:`ManifestRow` is written to ``parts/<id>.json`` when its job finishes (with the
``file_sizes`` and ``job`` that tell a finished render from one to redo; see
:meth:`~mirloop.dataset.layout.DatasetLayout.finished_row`), and every row is gathered into
``manifest.parquet`` once all renders are done. ``mirloop dataset features`` reads that manifest
back (:func:`read_manifest`) and writes rows of its own, which add the feature backend's column
names. The columns, in order: ``render_id``, the labels (:data:`LABEL_COLUMNS`), the
:data:`RENDER_COLUMNS`, then one ``aug_<name>`` column per parameter of a domain-randomised
render's chain (:data:`AUGMENTATION_PREFIX`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
from attrs import field, frozen

from mirloop.errors import DatasetError
from mirloop.io.atomic import atomic_path, write_text
from mirloop.types.descriptor import TARGETS

#: The label columns: the descriptor's name and its six targets.
LABEL_COLUMNS: tuple[str, ...] = ("descriptor", *TARGETS)
#: Prefix of the columns recording a domain-randomised render's chain
#: (:class:`mirloop.renderer.randomize.ChainParams`; ``ChainParams.from_dict`` reads a row back).
AUGMENTATION_PREFIX = "aug_"
#: What the part file holds beyond the manifest's columns.
PART_ONLY = ("feature_names", "file_sizes", "job")


@frozen
class ManifestRow:
    """One render of a dataset: its labels, how it was made and what it took.

    ``labels`` maps each of :data:`LABEL_COLUMNS` to its value; ``augmentation`` each parameter
    of a randomised render's chain (unprefixed; empty when the render was not randomised);
    ``feature_names`` the columns of a re-extracted render's features (``None`` for a generated
    render); ``file_sizes`` (bytes per file kind) and ``job`` (what made it) identify a finished
    part and are kept out of the manifest.
    """

    render_id: str
    labels: Mapping[str, Any]
    duration: float = field(converter=float)
    tempo_bpm: float = field(converter=float)
    band: str
    tonic: str
    seed: int = field(converter=int)
    sr: int = field(converter=int)
    audio_sr: int = field(converter=int)
    n_windows: int = field(converter=int)
    audio: str
    render_seconds: float = field(converter=float)
    feature_seconds: float = field(converter=float)
    job_seconds: float = field(converter=float)
    feature_backend: str
    augmentation: Mapping[str, Any] = field(factory=dict)
    feature_names: tuple[str, ...] | None = None
    file_sizes: Mapping[str, int] = field(factory=dict)
    job: Mapping[str, Any] = field(factory=dict)

    def to_manifest(self) -> dict[str, Any]:
        """The row's ``manifest.parquet`` columns, in order."""
        return {
            "render_id": self.render_id,
            **{name: self.labels[name] for name in LABEL_COLUMNS},
            **{name: getattr(self, name) for name in RENDER_COLUMNS},
            **{f"{AUGMENTATION_PREFIX}{name}": value for name, value in self.augmentation.items()},
        }

    def to_part(self) -> dict[str, Any]:
        """The row as ``parts/<id>.json`` holds it: the manifest's columns, then :data:`PART_ONLY`."""
        names = {} if self.feature_names is None else {"feature_names": list(self.feature_names)}
        return {**self.to_manifest(), **names, "file_sizes": dict(self.file_sizes), "job": dict(self.job)}

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> ManifestRow:
        """The row of a part file or a manifest record; a missing or unknown column is a
        :class:`~mirloop.errors.DatasetError` naming it."""
        augmentation = {
            key[len(AUGMENTATION_PREFIX):]: value
            for key, value in record.items() if key.startswith(AUGMENTATION_PREFIX)
        }
        expected = ("render_id", *LABEL_COLUMNS, *RENDER_COLUMNS)
        missing = [name for name in expected if name not in record]
        unknown = sorted(set(record) - set(expected) - set(PART_ONLY)
                         - {f"{AUGMENTATION_PREFIX}{name}" for name in augmentation})
        if missing or unknown:
            where = record.get("render_id", "a render")
            problems = ([f"lacks {', '.join(missing)}"] if missing else []) + (
                [f"has unknown columns {', '.join(unknown)}"] if unknown else [])
            raise DatasetError(f"the manifest row of {where} {' and '.join(problems)}; it was written by "
                               "another version of mirloop: generate the dataset again")
        names = record.get("feature_names")
        return cls(
            render_id=record["render_id"],
            labels={name: record[name] for name in LABEL_COLUMNS},
            **{name: record[name] for name in RENDER_COLUMNS},
            augmentation=augmentation,
            feature_names=None if names is None else tuple(names),
            file_sizes=dict(record.get("file_sizes") or {}),
            job=dict(record.get("job") or {}),
        )

    def evolve(self, **changes: Any) -> ManifestRow:
        """A copy with ``changes``."""
        return attrs.evolve(self, **changes)


#: The columns between the labels and the augmentation, in order (:class:`ManifestRow`'s fields).
RENDER_COLUMNS: tuple[str, ...] = tuple(
    f.name for f in attrs.fields(ManifestRow)
    if f.name not in ("render_id", "labels", "augmentation", *PART_ONLY)
)


def write_part(path: str | os.PathLike[str], row: ManifestRow) -> None:
    """Write ``row`` to its part file (atomically)."""
    write_text(Path(path), json.dumps(row.to_part(), indent=1))


def read_part(path: str | os.PathLike[str]) -> ManifestRow | None:
    """The row of a part file, or ``None`` when it is missing, torn or not a row."""
    try:
        record = json.loads(Path(path).read_text())
        return ManifestRow.from_dict(record) if isinstance(record, dict) else None
    except (OSError, ValueError, TypeError, DatasetError):
        return None


def write_manifest(path: str | os.PathLike[str], rows: Sequence[ManifestRow]) -> None:
    """``manifest.parquet``: one row per render, in order (atomically)."""
    import pandas as pd

    table = pd.DataFrame([row.to_manifest() for row in rows])
    with atomic_path(Path(path)) as temporary:
        table.to_parquet(temporary, index=False, engine="pyarrow")


def read_manifest(path: str | os.PathLike[str]) -> list[ManifestRow]:
    """The rows of a ``manifest.parquet`` :func:`write_manifest` wrote (values exactly as stored)."""
    import pyarrow.parquet as pq

    return [ManifestRow.from_dict(record) for record in pq.read_table(path).to_pylist()]
