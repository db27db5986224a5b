"""The model directory: ``model.json`` (metadata, hyperparameters, classes, nodes) + ``arrays.npz``.

Loading never runs code from the files: ``model.json`` is plain JSON and ``arrays.npz`` is read
with ``allow_pickle=False``. KNN nodes are rebuilt from the stored training matrix and labels,
MLP nodes from their weights and scaler statistics, the PCA projection from its mean and
components, a domain adaptation from its means and matrix. ``model.json`` records the SHA-256
of ``arrays.npz``, so edited arrays are refused; the shape and type of every array is checked
against ``model.json`` from the array headers before any is loaded, and loaded float arrays must
be finite (see :mod:`mirloop.classify.model_checks`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from mirloop.classify.adaptation import Adaptation
from mirloop.classify.estimators import restore_estimator
from mirloop.classify.hierarchy import ALL_TARGETS, DESCRIPTOR_TARGET, NodeKey
from mirloop.classify.model import FORMAT_NAME, FORMAT_VERSION, HierarchicalModel, ModelInfo
from mirloop.classify.model_checks import check_array_headers, check_document, check_finite
from mirloop.errors import ModelError
from mirloop.types.features import Projection

MODEL_JSON = "model.json"
ARRAYS_NPZ = "arrays.npz"


def sha256_file(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_model(model: HierarchicalModel, directory: str | os.PathLike[str]) -> Path:
    """Write ``model`` to ``directory`` atomically (a previous model there is replaced)."""
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, Any] = {}
    nodes = []
    for i, (key, estimator) in enumerate(sorted(model.nodes.items())):
        prefix = f"n{i}_"
        state, node_arrays = estimator.state(prefix)
        arrays.update(node_arrays)
        nodes.append({"target": key[0], "path": list(key[1]), "prefix": prefix, "state": state})
    if model.train_x is not None:
        arrays["train_x"] = model.train_x
    if model.projection is not None:
        arrays["projection_mean"] = np.asarray(model.projection.mean, dtype=np.float64)
        arrays["projection_components"] = np.asarray(model.projection.components, dtype=np.float64)
    if model.adaptation is not None:
        arrays["adaptation_target_mean"] = model.adaptation.target_mean
        arrays["adaptation_source_mean"] = model.adaptation.source_mean
        arrays["adaptation_matrix"] = model.adaptation.matrix

    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes it private; a model is an ordinary folder
    try:
        np.savez_compressed(staging / ARRAYS_NPZ, **arrays)
        document = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "info": model.info.to_dict(),
            "classes": {t: list(c) for t, c in model.classes.items()},
            "descriptors": [[g, s, m, d] for (g, s, m), d in sorted(model.descriptor_of.items())],
            "projection": None if model.projection is None else {"fitted_on": model.projection.fitted_on},
            "adaptation": None
            if model.adaptation is None
            else {
                "method": model.adaptation.method,
                "shrinkage": model.adaptation.shrinkage,
                "fitted_on": model.adaptation.fitted_on,
            },
            "nodes": nodes,
            "arrays_sha256": sha256_file(staging / ARRAYS_NPZ),
        }
        (staging / MODEL_JSON).write_text(json.dumps(document, indent=1, default=_json_default))
        _replace_directory(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store {type(value).__name__} in model.json")


def _replace_directory(staging: Path, target: Path) -> None:
    if target.exists():
        if not (target / MODEL_JSON).is_file() and any(target.iterdir()):
            raise ModelError(
                f"{target} exists and is not a mirloop model directory; choose another output path"
            )
        retired = target.with_name(f".{target.name}.old")
        shutil.rmtree(retired, ignore_errors=True)
        target.rename(retired)
        staging.rename(target)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        staging.rename(target)


def read_model_document(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """The parsed ``model.json`` after format checks (no arrays loaded)."""
    path = Path(directory)
    meta_path = path / MODEL_JSON
    if not meta_path.is_file():
        raise ModelError(
            f"{path} is not a mirloop model: {MODEL_JSON} is missing; train one with "
            "`mirloop train DATA/ -o MODEL/`"
        )
    try:
        document = json.loads(meta_path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{meta_path} is not valid JSON ({exc}); the model is corrupt, retrain it") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise ModelError(f"{meta_path} is not a {FORMAT_NAME} file")
    version = document.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
        raise ModelError(
            f"{meta_path} has format version {version!r}; this mirloop reads version "
            f"{FORMAT_VERSION} — upgrade mirloop or retrain the model"
        )
    return document


def model_kind(directory: str | os.PathLike[str]) -> str:
    """``knn`` or ``mlp``: the kind of the model in ``directory``, read from ``model.json`` alone."""
    document = read_model_document(directory)
    try:
        return str(document["info"]["kind"])
    except (KeyError, TypeError) as exc:
        raise ModelError(
            f"{Path(directory) / MODEL_JSON} names no model kind ({type(exc).__name__}: {exc}); "
            "retrain the model"
        ) from None


def load_model(directory: str | os.PathLike[str]) -> HierarchicalModel:
    """Read a model written by :func:`save_model`.

    Raises :class:`ModelError` when it is missing, corrupt or tampered with.
    """
    path = Path(directory)
    document = read_model_document(path)
    arrays_path = path / ARRAYS_NPZ
    if not arrays_path.is_file():
        raise ModelError(f"{arrays_path} is missing; the model is incomplete, retrain it")
    if sha256_file(arrays_path) != document.get("arrays_sha256"):
        raise ModelError(
            f"{arrays_path} does not match the checksum in {MODEL_JSON}; the model was modified "
            "or damaged, retrain it"
        )
    check_document(document, str(path / MODEL_JSON))
    described = check_array_headers(document, arrays_path, str(path / MODEL_JSON))
    try:
        with np.load(arrays_path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in described}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise ModelError(f"{arrays_path} cannot be read safely ({exc}); retrain the model") from exc
    check_finite(arrays, arrays_path)
    try:
        return _build(document, arrays)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
        raise ModelError(
            f"{path / MODEL_JSON} is malformed ({type(exc).__name__}: {exc}); retrain the model"
        ) from exc


def _build(document: dict[str, Any], arrays: dict[str, np.ndarray]) -> HierarchicalModel:
    info = ModelInfo.from_dict(document["info"])
    classes = {t: tuple(str(c) for c in document["classes"][t]) for t in ALL_TARGETS}
    descriptor_of = {(str(g), str(s), str(m)): str(d) for g, s, m, d in document["descriptors"]}
    train_x = arrays.get("train_x")
    if train_x is not None and (train_x.ndim != 2 or train_x.shape[1] != len(info.feature_names)):
        raise ModelError(
            f"stored training matrix has shape {train_x.shape} for {len(info.feature_names)} features"
        )
    nodes: dict[NodeKey, Any] = {}
    for node in document["nodes"]:
        key: NodeKey = (str(node["target"]), tuple(str(p) for p in node["path"]))
        nodes[key] = restore_estimator(node["state"], arrays, str(node["prefix"]), train_x)
    projection = None
    if document.get("projection") is not None:
        projection = Projection(
            arrays["projection_mean"],
            arrays["projection_components"],
            str(document["projection"].get("fitted_on", "")),
        )
    adaptation = None
    if document.get("adaptation") is not None:
        adaptation = Adaptation(
            str(document["adaptation"]["method"]),
            arrays["adaptation_target_mean"],
            arrays["adaptation_source_mean"],
            arrays["adaptation_matrix"],
            str(document["adaptation"].get("fitted_on", "")),
            float(document["adaptation"].get("shrinkage", 0.0)),
        )
        if adaptation.n_features != len(info.feature_names):
            raise ModelError(
                f"the adaptation maps {adaptation.n_features} features but the model has "
                f"{len(info.feature_names)}; refit it with `mirloop adapt`"
            )
    model = HierarchicalModel(info, classes, descriptor_of, nodes, projection, train_x, adaptation)
    _check_complete(model)
    return model


def _check_complete(model: HierarchicalModel) -> None:
    """Every node the chain rule visits exists (a truncated node list is refused)."""
    missing: list[NodeKey] = []
    for top in ("genre", "sentiment"):
        if (top, ()) not in model.nodes:
            missing.append((top, ()))
    if missing:
        raise ModelError(f"model lacks the top-level classifiers {missing}")
    for genre in model.nodes[("genre", ())].classes:
        if ("subgenre", (genre,)) not in model.nodes:
            missing.append(("subgenre", (genre,)))
            continue
        missing += [
            ("mood", (genre, s))
            for s in model.nodes[("subgenre", (genre,))].classes
            if ("mood", (genre, s)) not in model.nodes
        ]
    for sentiment in model.nodes[("sentiment", ())].classes:
        missing += [
            (c, (sentiment,)) for c in ("valence", "momentum") if (c, (sentiment,)) not in model.nodes
        ]
    if missing:
        raise ModelError(f"model lacks local classifiers {missing[:5]}; the model files are incomplete")
    _check_names(model)


def _check_names(model: HierarchicalModel) -> None:
    """Every class a node answers is a class of its target, and every (genre, subgenre, mood) the
    genre branch can reach names its descriptor."""
    for (target, path), node in model.nodes.items():
        unknown = sorted(set(node.classes) - set(model.classes.get(target, ())))
        if unknown:
            raise ModelError(
                f"model node {target} {list(path)} answers {unknown[:3]}, which are not {target} classes "
                "of the model; the model files are damaged, retrain"
            )
    named = sorted(set(model.descriptor_of.values()) - set(model.classes.get(DESCRIPTOR_TARGET, ())))
    if named:
        raise ModelError(
            f"model maps moods to {named[:3]}, which are not descriptor classes of the model; the model "
            "files are damaged, retrain"
        )
    for genre in model.nodes[("genre", ())].classes:
        for sub in model.nodes[("subgenre", (genre,))].classes:
            for mood in model.nodes[("mood", (genre, sub))].classes:
                if (genre, sub, mood) not in model.descriptor_of:
                    raise ModelError(
                        f"model names no descriptor for {genre}/{sub}/{mood}; the model files are damaged, "
                        "retrain"
                    )
