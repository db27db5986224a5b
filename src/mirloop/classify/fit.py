"""Training a hierarchical model: PCA projection, local classifiers, open-set thresholds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np

from mirloop.classify.estimators import (
    MLP_MAX_ITER,
    ConstantEstimator,
    Estimator,
    KnnEstimator,
    MlpEstimator,
    NetworkJob,
)
from mirloop.classify.hierarchy import (
    AFFECT_WEIGHTS,
    ALL_TARGETS,
    DEFAULT_AFFECT_WEIGHT,
    PARENT_PATH,
    TOP_TARGETS,
    NodeKey,
)
from mirloop.classify.model import HierarchicalModel, ModelInfo, library_versions
from mirloop.classify.openset import DEFAULT_UNKNOWN_COST, choose_threshold, distance_matrix, mood_profiles_of
from mirloop.classify.parallel import run_network_jobs
from mirloop.classify.splits import grouped_split
from mirloop.classify.windows import LabeledWindows
from mirloop.errors import ModelError
from mirloop.types.descriptor import TARGETS
from mirloop.types.features import PCA_NAMES, Projection

KINDS = ("knn", "mlp")
DEFAULT_NEIGHBORS = 5


def _sorted_classes(values: np.ndarray) -> tuple[str, ...]:
    unique = sorted(set(values.tolist()))
    if all(v.lstrip("-").isdigit() for v in unique):
        unique.sort(key=int)
    return tuple(unique)


def fit_projection(pca_input: np.ndarray, n_components: int = len(PCA_NAMES)) -> Projection:
    """PCA fitted on training windows (mean and the top ``n_components`` axes).

    With fewer windows or input dimensions than components, the missing axes are zero (their
    coefficients are 0), so the projection always yields ``n_components`` columns.
    """
    from sklearn.decomposition import PCA

    data = np.asarray(pca_input, dtype=np.float64)
    fitted = max(1, min(n_components, data.shape[1], data.shape[0]))
    pca = PCA(n_components=fitted, svd_solver="full").fit(data)
    components = np.zeros((n_components, data.shape[1]))
    components[:fitted] = pca.components_
    return Projection(mean=pca.mean_.copy(), components=components, fitted_on="training windows")


def fit_nodes(
    x: np.ndarray,
    labels: dict[str, np.ndarray],
    rows: np.ndarray,
    kind: str,
    params: dict[str, Any],
    *,
    workers: int | None = None,
    progress: str | None = None,
) -> dict[NodeKey, Estimator]:
    """One local classifier per target and parent value, trained on ``x[rows]``; the MLP networks
    of all nodes are trained together on ``workers`` processes (see :mod:`mirloop.classify.parallel`),
    under a progress bar named ``progress`` if given."""
    nodes: dict[NodeKey, Estimator] = {}
    planned: dict[NodeKey, tuple[tuple[str, ...], bool, Any, list[NetworkJob]]] = {}
    members = int(params.get("ensemble", 1))
    for target, parent_columns in PARENT_PATH.items():
        paths = (
            np.array(["\x1f".join(p) for p in zip(*(labels[c][rows] for c in parent_columns))])
            if parent_columns
            else np.full(len(rows), "")
        )
        for path_text in sorted(set(paths.tolist())):
            sub_rows = rows[paths == path_text]
            path = tuple(path_text.split("\x1f")) if parent_columns else ()
            y = labels[target][sub_rows]
            classes = _sorted_classes(y)
            lookup = {c: i for i, c in enumerate(classes)}
            codes = np.array([lookup[v] for v in y], dtype=np.int64)
            if len(classes) == 1:
                nodes[(target, path)] = ConstantEstimator(classes)
            elif kind == "knn":
                nodes[(target, path)] = KnnEstimator.fit(
                    x, sub_rows, codes, classes, int(params["n_neighbors"])
                )
            else:
                one_vs_rest = target in TOP_TARGETS
                scaler, jobs = MlpEstimator.plan(
                    x[sub_rows],
                    codes,
                    len(classes),
                    one_vs_rest=one_vs_rest,
                    hidden_layer_sizes=tuple(params["hidden_layer_sizes"]),
                    max_iter=int(params["max_iter"]),
                    seed=int(params["seed"]),
                    early_stopping=params.get("early_stopping", False),
                    members=members,
                )
                planned[(target, path)] = (classes, one_vs_rest, scaler, jobs)
    if planned:
        all_jobs = [job for *_, jobs in planned.values() for job in jobs]
        nets = iter(run_network_jobs(all_jobs, workers, progress=progress))
        for key, (classes, one_vs_rest, scaler, jobs) in planned.items():
            nodes[key] = MlpEstimator.assemble(
                classes,
                one_vs_rest,
                tuple(params["hidden_layer_sizes"]),
                int(params["max_iter"]),
                scaler,
                [next(nets) for _ in jobs],
            )
    return nodes


def default_hyperparameters(kind: str) -> dict[str, Any]:
    """Local-classifier settings of ``kind``, and the decoding: ``coherent`` with an
    ``affect_weight`` chosen on validation renders (``None`` = choose), or ``independent``."""
    decoding = {"decoding": "coherent", "affect_weight": None}
    if kind == "knn":
        return {"n_neighbors": DEFAULT_NEIGHBORS, **decoding}
    if kind == "mlp":
        return {
            "hidden_layer_sizes": [100],
            "max_iter": MLP_MAX_ITER,
            "seed": 0,
            "early_stopping": "auto",
            "ensemble": 1,
            **decoding,
        }
    raise ModelError(f"unknown classifier kind {kind!r}; choose one of {', '.join(KINDS)}")


DECODINGS = ("coherent", "independent")


def _weight_of(params: dict[str, Any]) -> float | None:
    if params["decoding"] == "independent":
        return None
    weight = params.get("affect_weight")
    return DEFAULT_AFFECT_WEIGHT if weight is None else float(weight)


def _mean_accuracy(
    matrices: dict[str, np.ndarray], classes: dict[str, tuple[str, ...]], truth: dict[str, np.ndarray]
) -> float:
    """Mean window accuracy over the six targets."""
    scores = [
        float((np.asarray(classes[t])[matrices[t].argmax(axis=1)] == truth[t]).mean()) for t in TARGETS
    ]
    return float(np.mean(scores))


def fit_model(
    windows: LabeledWindows,
    kind: str,
    *,
    hyperparameters: dict[str, Any] | None = None,
    validation_fraction: float = 0.2,
    unknown_cost: float = DEFAULT_UNKNOWN_COST,
    descriptor_distance: Callable[[str, str], float] | None = None,
    seed: int = 0,
    provenance: dict[str, Any] | None = None,
    workers: int | None = None,
    progress: str | None = None,
) -> HierarchicalModel:
    """Train a hierarchical ``kind`` (``knn`` or ``mlp``) model on labelled windows.

    The open-set thresholds are chosen on a ``validation_fraction`` of the renders (grouped, so
    validation windows come from renders the validation model never saw); the final model is
    then refit on every window. ``provenance`` fills :class:`ModelInfo` fields (feature backend
    and options, catalog version, table hash, held-out groups); ``workers`` processes train the MLP
    networks (default: all cores on big tables); ``progress`` names the bars shown over them.
    """
    params = {**default_hyperparameters(kind), **(hyperparameters or {})}
    if params["decoding"] not in DECODINGS:
        raise ModelError(f"unknown decoding {params['decoding']!r}; choose one of {', '.join(DECODINGS)}")
    if kind == "mlp":
        params["seed"] = params.get("seed", seed)
    if len(windows) == 0:
        raise ModelError("cannot train on an empty table")
    projection = None
    if windows.pca_input is not None and any(n in windows.feature_names for n in PCA_NAMES):
        projection = fit_projection(windows.pca_input)
    classes = {t: _sorted_classes(windows.labels[t]) for t in ALL_TARGETS}
    descriptor_of = {
        (g, s, m): d
        for g, s, m, d in zip(
            windows.labels["genre"],
            windows.labels["subgenre"],
            windows.labels["mood"],
            windows.labels["descriptor"],
        )
    }
    if len(descriptor_of) != len(classes["descriptor"]):
        raise ModelError(
            "descriptor names and (genre, subgenre, mood) triples are not one-to-one in the table"
        )
    profiles = mood_profiles_of(windows.labels)
    base = ModelInfo(kind=kind, feature_names=windows.feature_names, mood_profiles=profiles)
    model = HierarchicalModel(base, classes, descriptor_of, {}, projection)
    x = model.design_matrix(windows.values, windows.pca_input)

    thresholds: dict[str, float] = {}
    validation: dict[str, Any] = {}
    choose_weight = params["decoding"] == "coherent" and params.get("affect_weight") is None
    if validation_fraction > 0 and len(set(windows.groups.tolist())) >= 4:
        split = grouped_split(windows.labels["descriptor"], windows.groups, validation_fraction, seed=seed)
        model.nodes = fit_nodes(x, windows.labels, split.train, kind, params, workers=workers,
                                progress=progress and f"{progress}, validation")
        model.train_x = x
        branches = model.branches(x[split.test])
        truth_labels = {t: windows.labels[t][split.test] for t in ALL_TARGETS}
        if choose_weight:
            accuracy = {
                weight: _mean_accuracy(model.decode(branches, weight), classes, truth_labels)
                for weight in AFFECT_WEIGHTS
            }
            params["affect_weight"] = max(accuracy, key=lambda w: (accuracy[w], -w))
            validation["affect_weight"] = {str(w): a for w, a in accuracy.items()}
        matrices = model.decode(branches, _weight_of(params))
        for target in ALL_TARGETS:
            index = {c: i for i, c in enumerate(classes[target])}
            truth = np.array([index.get(v, -1) for v in windows.labels[target][split.test]])
            choice = choose_threshold(
                matrices[target],
                truth,
                distance_matrix(target, classes[target], descriptor_distance, profiles),
                unknown_cost,
            )
            thresholds[target] = choice.threshold
            validation[target] = {
                "threshold": choice.threshold,
                "cost": choice.cost,
                "cost_without_unknown": choice.cost_without,
                "unknown_rate": choice.unknown_rate,
            }
        validation["n_windows"] = len(split.test)
    if choose_weight and params.get("affect_weight") is None:
        params["affect_weight"] = DEFAULT_AFFECT_WEIGHT

    model.nodes = fit_nodes(x, windows.labels, np.arange(len(windows)), kind, params, workers=workers,
                            progress=progress)
    model.train_x = x if kind == "knn" else None
    model.info = ModelInfo(
        kind=kind,
        feature_names=windows.feature_names,
        hyperparameters=params,
        library_versions=library_versions(),
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        n_windows=len(windows),
        n_groups=len(set(windows.groups.tolist())),
        unknown_cost=unknown_cost,
        thresholds=thresholds,
        validation=validation,
        mood_profiles=profiles,
        **(provenance or {}),
    )
    return model
