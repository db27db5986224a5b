"""Training and evaluating hierarchical descriptor models on a dataset's feature table.

``train_from_dataset`` holds out a test split grouped by render (no render has windows on
both sides), trains on the rest, scores the held-out renders, and — for comparison with the
paper — also trains and scores on the paper's window-level 70/30 split, where overlapping
windows of one render land on both sides. The saved model records its held-out renders, so
``evaluate_saved_model`` on the same table scores exactly those.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from attrs import frozen

from mirloop.classify.evaluation import DESCRIPTOR_SCORES, EVALUATION_DIR, Evaluation, evaluate
from mirloop.classify.feature_table import (
    LABEL_COLUMNS,
    DatasetInfo,
    read_table,
    table_path,
    windows_from_table,
)
from mirloop.classify.fit import fit_model
from mirloop.classify.model import HierarchicalModel
from mirloop.classify.openset import (
    DEFAULT_UNKNOWN_COST,
    catalog_descriptor_distance,
    fallback_descriptor_distance,
)
from mirloop.classify.setup import installed_catalog_version, resolved_options
from mirloop.classify.splits import grouped_split, window_split
from mirloop.classify.storage import load_model, save_model, sha256_file
from mirloop.errors import DatasetError, ModelError
from mirloop.io.atomic import write_text
from mirloop.types.descriptor import TARGETS
from mirloop.types.features import FEATURE_NAMES

if TYPE_CHECKING:
    import pandas as pd



@frozen(eq=False)
class TrainingResult:
    """The saved model, its grouped (honest) evaluation and the paper's leaky one, and timings (s)."""

    model: HierarchicalModel
    directory: Path
    grouped: Evaluation | None
    leaky: Evaluation | None
    seconds: dict[str, float]

    def summary(self) -> dict[str, Any]:
        """Side-by-side scores per target, convergence and timings (JSON-ready)."""
        rows = {}
        for target in (*TARGETS, "descriptor"):
            row: dict[str, Any] = {}
            for name, evaluation in (("grouped", self.grouped), ("leaky", self.leaky)):
                if evaluation is not None:
                    scores = evaluation.targets[target]
                    row[name] = {
                        "accuracy": scores.accuracy,
                        "macro_f1": scores.macro_f1,
                        "render_accuracy": scores.render_accuracy,
                        "unknown_rate": scores.unknown_rate,
                        "cost": scores.cost,
                    }
            rows[target] = row
        return {
            "model": str(self.directory),
            "classifier": self.model.kind,
            "grouped_split": None if self.grouped is None else self.grouped.split,
            "leaky_split": None if self.leaky is None else self.leaky.split,
            "targets": rows,
            "thresholds": self.model.info.thresholds,
            "convergence": self.model.convergence(),
            "seconds": self.seconds,
        }


def dataset_info(data: str | os.PathLike[str], table: pd.DataFrame) -> DatasetInfo:
    """``dataset.json`` next to the table, or a description inferred from the columns."""
    folder = Path(data) if Path(data).is_dir() else Path(data).parent
    try:
        return DatasetInfo.read(folder)
    except DatasetError:
        names = tuple(n for n in FEATURE_NAMES if n in table.columns)
        if not names:
            raise
        warnings.warn(
            f"{folder} has no dataset.json; assuming the {len(names)} standard feature columns "
            "and an unknown feature backend",
            stacklevel=2,
        )
        return DatasetInfo(feature_backend="", feature_names=names)


def descriptor_distance_for(table: pd.DataFrame) -> Callable[[str, str], float]:
    """The catalog's descriptor distance, else one computed from the table's label fields."""
    found = catalog_descriptor_distance()
    if found is not None:
        return found
    first = table.drop_duplicates("descriptor")
    fields = {str(row["descriptor"]): {t: str(row[t]) for t in TARGETS} for _, row in first.iterrows()}
    fallback = fallback_descriptor_distance(fields)

    def distance(a: str, b: str) -> float:
        return fallback(a, b) if a in fields and b in fields else float(a != b)

    return distance


def train_from_dataset(
    data: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    kind: str = "knn",
    test_size: float = 0.3,
    leaky_comparison: bool = True,
    hyperparameters: dict[str, Any] | None = None,
    unknown_cost: float = DEFAULT_UNKNOWN_COST,
    seed: int = 0,
    figures: bool = True,
    workers: int | None = None,
    log: Callable[[str], None] = lambda message: None,
    progress: bool = False,
) -> TrainingResult:
    """Train a ``kind`` model on ``data`` (a dataset folder or its ``features.parquet``) into ``output``.

    ``test_size`` of the renders are held out (grouped split) and scored; 0 trains on
    everything and skips evaluation. The evaluation (JSON and confusion-matrix PNGs) is
    written to ``output/evaluation/``. ``workers`` processes train MLP networks (default: all
    cores on big tables); ``progress`` shows bars over them.
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    table = read_table(data)
    info = dataset_info(data, table)
    windows = windows_from_table(table, info.feature_names)
    distance = descriptor_distance_for(table)
    provenance: dict[str, Any] = {
        "feature_backend": info.feature_backend,
        "feature_options": dict(info.feature_options),
        "catalog_version": info.catalog_version,
        "table_sha256": sha256_file(table_path(data)),
        # the renderer's defaults filled in: what a run that left them unset rendered with
        "renders": info.render_settings(partial(resolved_options, "renderer", recorded=True)),
    }
    seconds["load"] = time.perf_counter() - started
    log(
        f"loaded {len(windows)} windows of {len(set(windows.groups.tolist()))} renders "
        f"({len(set(windows.labels['descriptor'].tolist()))} descriptors)"
    )

    grouped = leaky = None
    train_rows = np.arange(len(windows))
    split = None
    if test_size > 0:
        split = grouped_split(windows.labels["descriptor"], windows.groups, test_size, seed=seed)
        if split.overlapping_groups(windows.groups):
            raise DatasetError("grouped split put one render on both sides; this is a bug")
        train_rows = split.train
        provenance["heldout_groups"] = tuple(sorted(set(windows.groups[split.test].tolist())))
    step = time.perf_counter()
    log(f"training {kind} on {len(train_rows)} windows")
    model = fit_model(
        windows.subset(train_rows),
        kind,
        hyperparameters=hyperparameters,
        unknown_cost=unknown_cost,
        descriptor_distance=distance,
        seed=seed,
        provenance=provenance,
        workers=workers,
        progress="networks" if progress else None,
    )
    seconds["train"] = time.perf_counter() - step
    directory = save_model(model, output)
    if split is not None:
        step = time.perf_counter()
        grouped = evaluate(
            model, windows.subset(split.test), split=split.method, descriptor_distance=distance
        )
        seconds["evaluate"] = time.perf_counter() - step
        if leaky_comparison:
            step = time.perf_counter()
            log("training the comparison model on the paper's window-level split")
            leaky_split = window_split(windows.labels["descriptor"], test_size, seed=seed)
            leaky_model = fit_model(
                windows.subset(leaky_split.train),
                kind,
                hyperparameters=hyperparameters,
                unknown_cost=unknown_cost,
                descriptor_distance=distance,
                seed=seed,
                validation_fraction=0.0,
                workers=workers,
                progress="comparison networks" if progress else None,
            )
            leaky = evaluate(
                leaky_model,
                windows.subset(leaky_split.test),
                split=leaky_split.method,
                descriptor_distance=distance,
            )
            seconds["leaky_comparison"] = time.perf_counter() - step
    seconds["total"] = time.perf_counter() - started
    result = TrainingResult(model, directory, grouped, leaky, seconds)
    write_evaluation(result, directory / EVALUATION_DIR, figures=figures)
    return result


def write_evaluation(result: TrainingResult, directory: Path, *, figures: bool = True) -> None:
    """``summary.json``, full per-split reports, the held-out render accuracy per descriptor
    (:data:`~mirloop.classify.evaluation.DESCRIPTOR_SCORES`) and confusion PNGs of a training run."""
    directory.mkdir(parents=True, exist_ok=True)
    write_text(directory / "summary.json", json.dumps(result.summary(), indent=1))
    for name, evaluation in (("grouped", result.grouped), ("leaky", result.leaky)):
        if evaluation is None:
            continue
        write_text(directory / f"{name}.json", json.dumps(evaluation.to_dict(), indent=1))
        if name == "grouped":  # what the loop report compares its renders with
            evaluation.save_descriptor_scores(directory / DESCRIPTOR_SCORES)
        if figures:
            evaluation.save_confusion_figures(directory, prefix=f"{name}_confusion")


def evaluate_saved_model(
    model_dir: str | os.PathLike[str], data: str | os.PathLike[str], *, check_catalog: bool = True
) -> Evaluation:
    """Score a saved model on a dataset.

    On the table the model was trained from (same SHA-256), only the renders it held out are
    scored; a model trained on all of that table is refused (its score would be meaningless).
    """
    model = load_model(model_dir)
    table = read_table(data)
    info = dataset_info(data, table)
    if (
        info.feature_backend
        and model.info.feature_backend
        and info.feature_backend != model.info.feature_backend
    ):
        raise ModelError(
            f"the model was trained on {model.info.feature_backend!r} features but {data} holds "
            f"{info.feature_backend!r} features; evaluate on a matching dataset"
        )
    if check_catalog:
        model.check_setup(catalog_version=installed_catalog_version())
    same_table = sha256_file(table_path(data)) == model.info.table_sha256
    split = "all windows of an independent table"
    if same_table:
        if not model.info.heldout_groups:
            raise ModelError(
                f"{model_dir} was trained on every render of {data}; evaluate it on another dataset "
                "or retrain with a held-out split (--test-size)"
            )
        table = table[table["render_id"].astype(str).isin(set(model.info.heldout_groups))]
        split = f"the {len(model.info.heldout_groups)} renders held out at training (grouped by render)"
    windows = windows_from_table(table, model.info.feature_names)
    missing = [c for c in LABEL_COLUMNS if c not in table.columns]
    if missing:
        raise DatasetError(f"{data} lacks label column(s) {missing}")
    return evaluate(model, windows, split=split, descriptor_distance=descriptor_distance_for(table))
