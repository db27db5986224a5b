"""Checks of a model directory made before (and right after) its arrays are loaded.

``model.json`` says what every array of ``arrays.npz`` must be: the number of features fixes
the scaler and first-layer shapes, ``hidden_layer_sizes`` the layers, the classes the output
layer. The shapes and types are read from the ``.npy`` headers inside the zip (a few bytes
each, nothing decompressed beyond them) and compared with that description, so an array of
the wrong shape, of text, or of a size past :data:`mirloop.limits.MAX_MODEL_MB` is refused
before any memory is given to it. Once loaded, every float array must hold finite numbers:
NaN weights are a damaged model file, not bad features.
"""

from __future__ import annotations

import math
import tokenize
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from mirloop.errors import ModelError
from mirloop.limits import MAX_MODEL_MB

#: An expected shape: ints are fixed, strings name a size shared by several arrays.
Shape = tuple[int | str, ...]

#: What reading a damaged zip or .npy header can raise.
UNREADABLE = (
    zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, KeyError, NotImplementedError,
    SyntaxError, TypeError, tokenize.TokenError,  # a header that is not a Python literal
)

RETRAIN = "the model file is damaged or was edited; retrain it with `mirloop train`"


def _fail(where: str, problem: str) -> ModelError:
    return ModelError(f"{where}: {problem}; {RETRAIN}")


def read_array_headers(path: Path) -> dict[str, tuple[tuple[int, ...], np.dtype[Any]]]:
    """The shape and dtype of every array in the ``.npz`` at ``path``, from the headers only."""
    headers: dict[str, tuple[tuple[int, ...], np.dtype[Any]]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if not member.endswith(".npy"):
                    raise _fail(str(path), f"{member!r} is not an array")
                with archive.open(member) as handle:
                    version = np.lib.format.read_magic(handle)
                    if version == (1, 0):
                        shape, _, dtype = np.lib.format.read_array_header_1_0(handle)
                    elif version == (2, 0):
                        shape, _, dtype = np.lib.format.read_array_header_2_0(handle)
                    else:
                        raise _fail(str(path), f"{member!r} has the unknown .npy version {version}")
                headers[member[: -len(".npy")]] = (tuple(shape), dtype)
    except UNREADABLE as exc:
        raise _fail(str(path), f"it cannot be read ({type(exc).__name__}: {exc})") from None
    return headers


def _int(value: Any, where: str, *, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise _fail(where, f"{value!r} is not a whole number ≥ {low}")
    return value


def _names(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, f"{_short(value)} is not a list of names")
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _info_types() -> dict[str, tuple[type, ...]]:
    """The JSON type of each :class:`ModelInfo` field, from its annotation."""
    from mirloop.classify.model import ModelInfo

    kinds: dict[str, tuple[type, ...]] = {
        "str": (str,), "int": (int,), "float": (int, float), "dict": (dict,), "tuple": (list,),
    }
    return {
        field.name: kinds[str(field.type).split("[")[0]]
        for field in ModelInfo.__attrs_attrs__
        if str(field.type).split("[")[0] in kinds
    }


def check_document(document: Mapping[str, Any], where: str) -> None:
    """Types of the parts of ``model.json`` that loading and prediction rely on."""
    info = document.get("info")
    if not isinstance(info, dict):
        raise _fail(f"{where} info", "missing or not an object")
    _names(info.get("feature_names"), f"{where} info.feature_names")
    for name, kinds in _info_types().items():
        value = info.get(name)
        if name in info and (isinstance(value, bool) is not (bool in kinds) or not isinstance(value, kinds)):
            wanted = " or ".join(k.__name__ for k in kinds)
            raise _fail(f"{where} info.{name}", f"{_short(value)} is not {wanted}")
    thresholds = info.get("thresholds", {})
    if not isinstance(thresholds, dict):
        raise _fail(f"{where} info.thresholds", f"{_short(thresholds)} is not an object of numbers")
    for target, value in thresholds.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise _fail(f"{where} info.thresholds.{target}", f"{_short(value)} is not a finite number")
    hyperparameters = info.get("hyperparameters", {})
    if not isinstance(hyperparameters.get("decoding", ""), str):
        raise _fail(f"{where} info.hyperparameters.decoding", "not 'coherent' or 'independent'")
    weight = hyperparameters.get("affect_weight")
    if weight is not None and (
        isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight)
    ):
        raise _fail(f"{where} info.hyperparameters.affect_weight", f"{_short(weight)} is not a finite number")
    classes = document.get("classes")
    if not isinstance(classes, dict):
        raise _fail(f"{where} classes", "missing or not an object")
    for target, names in classes.items():
        _names(names, f"{where} classes.{target}")
    descriptors = document.get("descriptors")
    if not isinstance(descriptors, list) or not all(
        isinstance(d, list) and len(d) == 4 and all(isinstance(v, str) for v in d) for d in descriptors
    ):
        raise _fail(f"{where} descriptors", "not a list of [genre, subgenre, mood, descriptor] names")
    nodes = document.get("nodes")
    if not isinstance(nodes, list):
        raise _fail(f"{where} nodes", "missing or not a list")
    for i, node in enumerate(nodes):
        at = f"{where} nodes[{i}]"
        if not isinstance(node, dict) or not isinstance(node.get("state"), dict):
            raise _fail(at, "not an object with a 'state' object")
        if not isinstance(node.get("target"), str) or not isinstance(node.get("prefix"), str):
            raise _fail(at, "its 'target' and 'prefix' must be names")
        _names(node.get("path"), f"{at}.path")
        _names(node["state"].get("classes"), f"{at}.state.classes")
    for part in ("projection", "adaptation"):
        if document.get(part) is not None and not isinstance(document[part], dict):
            raise _fail(f"{where} {part}", "not an object")


def expected_arrays(document: Mapping[str, Any], where: str) -> dict[str, Shape]:
    """The shape of every array ``model.json`` describes (after :func:`check_document`)."""
    n_features = len(document["info"]["feature_names"])
    expected: dict[str, Shape] = {}
    for i, node in enumerate(document["nodes"]):
        state, prefix, at = node["state"], node["prefix"], f"{where} nodes[{i}].state"
        kind = state.get("kind")
        n_classes = len(state["classes"])
        if kind == "mlp":
            hidden = state.get("hidden_layer_sizes")
            if not isinstance(hidden, list):
                raise _fail(f"{at}.hidden_layer_sizes", f"{_short(hidden)} is not a list of layer sizes")
            sizes = [_int(h, f"{at}.hidden_layer_sizes", low=1) for h in hidden]
            one_vs_rest = state.get("one_vs_rest")
            if not isinstance(one_vs_rest, bool):
                raise _fail(f"{at}.one_vs_rest", f"{_short(one_vs_rest)} is not true or false")
            n_nets = _int(state.get("n_nets"), f"{at}.n_nets", low=1)
            n_layers = _int(state.get("n_layers"), f"{at}.n_layers", low=1)
            members = _int(state.get("members", 1), f"{at}.members", low=1)
            if n_layers != len(sizes) + 1 or n_nets != (n_classes if one_vs_rest else 1) * members:
                raise _fail(at, f"{n_nets} networks of {n_layers} layers do not fit {n_classes} classes, "
                                f"hidden layers {sizes} and {members} member(s)")
            _int(state.get("max_iter"), f"{at}.max_iter", low=1)
            n_iter = state.get("n_iter")
            if not isinstance(n_iter, list):
                raise _fail(f"{at}.n_iter", f"{_short(n_iter)} is not a list of iteration counts")
            for count in n_iter:
                _int(count, f"{at}.n_iter")
            outputs = 1 if one_vs_rest or n_classes == 2 else n_classes
            dims = [n_features, *sizes, outputs]
            for j in range(n_nets):
                for layer in range(n_layers):
                    expected[f"{prefix}net{j}_coef{layer}"] = (dims[layer], dims[layer + 1])
                    expected[f"{prefix}net{j}_intercept{layer}"] = (dims[layer + 1],)
        elif kind == "knn":
            _int(state.get("n_neighbors"), f"{at}.n_neighbors", low=1)
            expected[f"{prefix}rows"] = (f"{prefix}rows",)
            expected[f"{prefix}codes"] = (f"{prefix}rows",)
            expected["train_x"] = ("train_rows", n_features)
        elif kind != "constant":
            raise _fail(f"{at}.kind", f"{_short(kind)} is not one of constant, knn, mlp")
        if kind in ("mlp", "knn"):
            for statistic in ("mean", "scale", "var"):
                expected[f"{prefix}scaler_{statistic}"] = (n_features,)
    if document.get("projection") is not None:
        expected["projection_mean"] = ("pca_in",)
        expected["projection_components"] = ("pca_out", "pca_in")
    if document.get("adaptation") is not None:  # its width is checked against the features later,
        for name in ("adaptation_target_mean", "adaptation_source_mean"):  # saying how to refit it
            expected[name] = ("adapted",)
        expected["adaptation_matrix"] = ("adapted", "adapted")
    return expected


def check_array_headers(document: Mapping[str, Any], path: Path, where: str) -> list[str]:
    """Refuse ``arrays.npz`` when an array's shape or type differs from what ``model.json``
    describes, or when together they are larger than :data:`~mirloop.limits.MAX_MODEL_MB`.

    Returns the names of the arrays to load (those ``model.json`` describes).
    """
    headers = read_array_headers(path)
    for name, (_, dtype) in headers.items():
        if dtype.hasobject:
            raise ModelError(f"{path} cannot be read safely (the array {name!r} holds Python objects, "
                             f"which loading would unpickle); {RETRAIN}")
    total = sum(math.prod(shape) * dtype.itemsize for shape, dtype in headers.values())
    MAX_MODEL_MB.check(total / 1e6, f"{path}: its arrays take", error=ModelError)
    expected = expected_arrays(document, where)
    sizes: dict[str, int] = {}
    for name, shape in expected.items():
        if name not in headers:
            raise _fail(str(path), f"the array {name!r} described in model.json is missing")
        found, dtype = headers[name]
        wanted_kind = "iu" if name.endswith(("_rows", "_codes")) else "f"
        if dtype.kind not in wanted_kind or dtype.hasobject:
            raise _fail(str(path), f"the array {name!r} holds {dtype}, not numbers of the right kind")
        matches = len(found) == len(shape)
        for size, want in zip(found, shape):
            if isinstance(want, str):
                matches = matches and sizes.setdefault(want, size) == size
            else:
                matches = matches and size == want
        if not matches:
            raise _fail(str(path), f"the array {name!r} has shape {found}, where model.json describes "
                                   f"{tuple(sizes.get(s, s) if isinstance(s, str) else s for s in shape)}")
    return sorted(expected)


def check_finite(arrays: Mapping[str, np.ndarray], path: Path) -> None:
    """Refuse NaN or infinite values in the model's float arrays (a damaged model file)."""
    for name, values in arrays.items():
        if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
            raise _fail(str(path), f"the array {name!r} holds NaN or infinite values")
