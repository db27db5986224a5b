"""The dataset folder's feature table and its description (``dataset.json``).

``mirloop dataset generate`` writes them (:mod:`mirloop.dataset`); training and adaptation read
them here, so the reading side does not depend on the layer that renders the development set.

``features.parquet`` holds one row per 10-s window (2-s hop) of every render: ``render_id``,
``descriptor``, the six target labels (``genre``, ``subgenre``, ``mood``, ``sentiment``,
``valence``, ``momentum``), ``window``, ``start``/``end`` (seconds), ``duration`` (seconds of
the render), ``tempo_bpm`` (the render's tempo), the feature columns, and the PCA input
columns ``pca_input_000``… that a model's PCA projection is fitted on.

``dataset.json`` records what the table depends on: the catalog version, the feature backend
and its options, the feature names, and the generation settings.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
from attrs import asdict, field, frozen

from mirloop.classify.windows import LabeledWindows, str_tuple
from mirloop.errors import DatasetError
from mirloop.io.atomic import write_text
from mirloop.types.descriptor import TARGETS

if TYPE_CHECKING:
    import pandas as pd

FEATURES_PARQUET = "features.parquet"
DATASET_JSON = "dataset.json"
PCA_INPUT_PREFIX = "pca_input_"
LABEL_COLUMNS: tuple[str, ...] = ("descriptor", *TARGETS)
DATASET_FORMAT_VERSION = 1


@frozen
class DatasetInfo:
    """What a feature table depends on and how it was generated."""

    feature_backend: str
    feature_names: tuple[str, ...] = field(converter=str_tuple)
    feature_options: dict[str, Any] = field(factory=dict)
    catalog_version: str = ""
    generation: dict[str, Any] = field(factory=dict)
    format_version: int = DATASET_FORMAT_VERSION

    def to_json(self) -> str:
        data = asdict(self)
        data["feature_names"] = list(self.feature_names)
        return json.dumps(data, indent=1, default=str)

    @classmethod
    def read(cls, directory: str | os.PathLike[str]) -> DatasetInfo:
        path = Path(directory) / DATASET_JSON
        try:
            data = json.loads(path.read_text())
            return cls(**data)
        except FileNotFoundError as exc:
            raise DatasetError(
                f"{path} is missing; generate the dataset with `mirloop dataset generate`"
            ) from exc
        except (json.JSONDecodeError, TypeError) as exc:
            raise DatasetError(f"{path} is malformed ({exc}); regenerate the dataset") from exc

    def write(self, directory: str | os.PathLike[str]) -> Path:
        return write_text(Path(directory) / DATASET_JSON, self.to_json())

    def render_settings(self, resolve: Resolver | None = None) -> dict[str, Any]:
        """How the renders were made: the renderer and its options but those that do not change
        the sound (:data:`UNHEARD_RENDER_OPTIONS`), e.g. ``{"renderer": "mirloop", "production":
        "genre", …}``; ``resolve(renderer, options)`` may fill in the options a run left at their
        defaults. A merged dataset gives each option where its parts agree and the list of the
        parts' values where they do not; ``{}`` when the dataset does not record them."""
        parts = [part.get("generation", {}) for part in self.generation.get("merged_from", ())]
        settings = [_render_settings(g, resolve) for g in (parts or [self.generation])]
        if not all(settings):
            return {}
        merged: dict[str, Any] = {}
        for key in dict.fromkeys(key for s in settings for key in s):
            values = [s.get(key) for s in settings]
            merged[key] = values[0] if all(v == values[0] for v in values) else values
        return merged


#: ``resolve(renderer, options)``: the renderer's options with its defaults filled in.
Resolver: TypeAlias = Callable[[str, dict[str, Any]], dict[str, Any]]

#: Renderer options that change how a render is made or stored, not how it sounds.
UNHEARD_RENDER_OPTIONS = frozenset({"sr", "block", "stems"})


def _render_settings(generation: dict[str, Any], resolve: Resolver | None) -> dict[str, Any]:
    """The renderer and its (sounding) options that one generation run recorded."""
    if "renderer" not in generation:
        return {}
    renderer = str(generation["renderer"])
    options = dict(generation.get("renderer_options") or {})
    if resolve is not None:
        options = resolve(renderer, options)
    return {"renderer": renderer, **{k: v for k, v in options.items() if k not in UNHEARD_RENDER_OPTIONS}}


def pca_input_columns(table: pd.DataFrame) -> list[str]:
    return sorted(c for c in table.columns if c.startswith(PCA_INPUT_PREFIX))


def table_path(data: str | os.PathLike[str]) -> Path:
    """The feature table of a dataset folder (or the Parquet file itself)."""
    path = Path(data)
    if path.is_dir():
        path = path / FEATURES_PARQUET
    if not path.is_file():
        raise DatasetError(f"{path} does not exist; run `mirloop dataset generate -o {Path(data)}` first")
    return path


def read_table(data: str | os.PathLike[str]) -> pd.DataFrame:
    """The feature table, with its label columns checked."""
    import pandas as pd

    path = table_path(data)
    try:
        table = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise DatasetError(f"{path} cannot be read as Parquet ({exc}); regenerate the feature table") from exc
    missing = [c for c in ("render_id", *LABEL_COLUMNS) if c not in table.columns]
    if missing:
        raise DatasetError(f"{path} lacks column(s) {missing}; it is not a mirloop feature table")
    return table


def windows_from_table(table: pd.DataFrame, feature_names: tuple[str, ...]) -> LabeledWindows:
    """The labelled windows of a feature table, grouped by render."""
    missing = [n for n in feature_names if n not in table.columns]
    if missing:
        raise DatasetError(f"the feature table lacks feature column(s) {missing}")
    pca_columns = pca_input_columns(table)
    return LabeledWindows(
        feature_names,
        table[list(feature_names)].to_numpy(dtype=np.float32),
        {c: table[c].astype(str).to_numpy() for c in LABEL_COLUMNS},
        table["render_id"].astype(str).to_numpy(),
        table[pca_columns].to_numpy(dtype=np.float32) if pca_columns else None,
    )
