"""Model files edited by hand (with a matching checksum) are refused in one ModelError that
blames the model file, before their arrays are given any memory."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mirloop.classify.storage import ARRAYS_NPZ, MODEL_JSON, load_model, sha256_file
from mirloop.errors import ModelError


def rewrite(saved: Path, *, arrays: dict[str, np.ndarray] | None = None,
            edit: Callable[[dict[str, Any]], None] | None = None) -> None:
    """Rewrite the model's arrays and/or model.json, then record the new checksum (as a
    tamperer would)."""
    if arrays is not None:
        np.savez_compressed(saved / ARRAYS_NPZ, **arrays)
    document = json.loads((saved / MODEL_JSON).read_text())
    if edit is not None:
        edit(document)
    document["arrays_sha256"] = sha256_file(saved / ARRAYS_NPZ)
    (saved / MODEL_JSON).write_text(json.dumps(document))


def stored(saved: Path) -> dict[str, np.ndarray]:
    with np.load(saved / ARRAYS_NPZ, allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


def scaler_mean(arrays: dict[str, np.ndarray]) -> str:
    return next(k for k in sorted(arrays) if k.endswith("scaler_mean"))


def test_a_40000_by_40000_array_is_refused_from_its_header(saved: Path) -> None:
    arrays = stored(saved)
    name = scaler_mean(arrays)
    with zipfile.ZipFile(saved / ARRAYS_NPZ, "w") as archive:
        for key, values in arrays.items():
            with archive.open(f"{key}.npy", "w") as handle:
                if key == name:  # a header claiming 6.4 GB, and no data behind it
                    header = {"descr": "<f4", "fortran_order": False, "shape": (40000, 40000)}
                    np.lib.format.write_array_header_1_0(handle, header)
                else:
                    np.lib.format.write_array(handle, values)
    rewrite(saved)
    expected = r"its arrays take 640\d\.\d+ MB, past the limit of 1024 MB.*MIRLOOP_MAX_MODEL_MB"
    with pytest.raises(ModelError, match=expected):
        load_model(saved)


def test_the_model_size_limit_follows_its_environment_variable(
    saved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIRLOOP_MAX_MODEL_MB", "0.001")
    with pytest.raises(ModelError, match="MIRLOOP_MAX_MODEL_MB"):
        load_model(saved)


def test_an_array_of_another_shape_than_model_json_describes_is_refused(saved: Path) -> None:
    arrays = stored(saved)
    name = scaler_mean(arrays)
    arrays[name] = arrays[name][:5]
    rewrite(saved, arrays=arrays)
    with pytest.raises(ModelError, match=rf"'{name}' has shape \(5,\), where model.json describes \(21,\)"):
        load_model(saved)


def test_weights_stored_as_text_are_refused(saved: Path) -> None:
    arrays = stored(saved)
    name = scaler_mean(arrays)
    arrays[name] = arrays[name].astype(str)
    rewrite(saved, arrays=arrays)
    with pytest.raises(ModelError, match=f"'{name}' holds <U"):
        load_model(saved)


def test_nan_weights_are_blamed_on_the_model_file_not_the_features(saved: Path) -> None:
    arrays = stored(saved)
    arrays["projection_components"] = arrays["projection_components"] * np.nan
    rewrite(saved, arrays=arrays)
    with pytest.raises(ModelError, match="'projection_components' holds NaN") as caught:
        load_model(saved)
    assert "arrays.npz" in str(caught.value) and "features" not in str(caught.value)


def _node_state(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(document: dict[str, Any]) -> None:
        document["nodes"][0]["state"][key] = value
    return edit


def _replace(path: tuple[str, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(document: dict[str, Any]) -> None:
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return edit


def _first_node(value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(document: dict[str, Any]) -> None:
        document["nodes"][0] = value
    return edit


def _rename_first_mood(document: dict[str, Any]) -> None:
    node = next(n for n in document["nodes"] if n["target"] == "mood")
    node["state"]["classes"][0] = "nowhere"


EDITS = [
    ("node state is a string", _first_node({"target": "genre", "path": [], "prefix": "n0_", "state": "mlp"}),
     r"nodes\[0\]: not an object with a 'state' object"),
    ("node classes are a number", _node_state("classes", 5), r"nodes\[0\]\.state\.classes: 5 is not a list"),
    ("node kind is unknown", _node_state("kind", "svm"), r"nodes\[0\]\.state\.kind: 'svm' is not one of"),
    ("thresholds are text", _replace(("info", "thresholds"), "high"), r"info\.thresholds: 'high' is not"),
    ("a threshold is text", _replace(("info", "thresholds", "genre"), "x"),
     r"info\.thresholds\.genre: 'x' is not a finite number"),
    ("feature names are a number", _replace(("info", "feature_names"), 3), r"info\.feature_names: 3 is not"),
    ("descriptors are malformed", _replace(("descriptors",), [[1, 2]]), r"descriptors: not a list"),
    ("the table hash is null", _replace(("info", "table_sha256"), None),
     r"info\.table_sha256: None is not str"),
    ("the affect weight is text", _replace(("info", "hyperparameters", "affect_weight"), ""),
     r"affect_weight: '' is not a finite number"),
    ("a mood maps to an unknown descriptor", _replace(("descriptors", 0, 3), "nowhere"),
     r"maps moods to \['nowhere'\], which are not descriptor classes"),
    ("a node answers an unknown class", _rename_first_mood,
     r"answers \['nowhere'\], which are not mood classes"),
]


@pytest.mark.parametrize(("edit", "message"), [e[1:] for e in EDITS], ids=[e[0] for e in EDITS])
def test_model_json_of_the_wrong_types_is_refused(
    saved: Path, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    rewrite(saved, edit=edit)
    with pytest.raises(ModelError, match=message):
        load_model(saved)


MLP_EDITS = [
    ("layer count is text", _node_state("n_layers", "two"), r"n_layers: 'two' is not a whole number"),
    ("network count is huge", _node_state("n_nets", 1e12), r"n_nets: 1000000000000\.0 is not a whole number"),
    ("hidden sizes are text", _node_state("hidden_layer_sizes", "abc"), r"hidden_layer_sizes: 'abc' is not"),
    ("hidden sizes disagree with the weights", _node_state("hidden_layer_sizes", [7]),
     r"has shape \(21, \d+\), where model.json describes \(21, 7\)"),
]


@pytest.mark.parametrize("model", ["mlp"], indirect=True)
@pytest.mark.parametrize(("edit", "message"), [e[1:] for e in MLP_EDITS], ids=[e[0] for e in MLP_EDITS])
def test_mlp_node_states_of_the_wrong_type_or_shape_are_refused(
    saved: Path, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    rewrite(saved, edit=edit)
    with pytest.raises(ModelError, match=message):
        load_model(saved)


def test_a_model_saved_with_a_null_affect_weight_decodes_with_the_default(saved: Path) -> None:
    from mirloop.classify.fit import DEFAULT_AFFECT_WEIGHT

    rewrite(saved, edit=_replace(("info", "hyperparameters", "affect_weight"), None))
    model = load_model(saved)
    assert model.affect_weight in (None, DEFAULT_AFFECT_WEIGHT)  # None: decoded independently


def npz_with_header(saved: Path, header: bytes) -> None:
    """Replace the first array of arrays.npz with a .npy whose header text is ``header``."""
    arrays = stored(saved)
    first = sorted(arrays)[0]
    with zipfile.ZipFile(saved / ARRAYS_NPZ, "w") as archive:
        for key, values in arrays.items():
            with archive.open(f"{key}.npy", "w") as handle:
                if key == first:
                    padded = header + b" " * (-(len(header) + 11) % 64) + b"\n"
                    handle.write(b"\x93NUMPY\x01\x00" + len(padded).to_bytes(2, "little") + padded)
                else:
                    np.lib.format.write_array(handle, values)
    rewrite(saved)


@pytest.mark.parametrize("header", [b"{'descr': '<f8', \x00", b"{'descr': ('<f8',", b"[1, 2]"])
def test_an_array_header_that_is_not_a_literal_is_refused(saved: Path, header: bytes) -> None:
    npz_with_header(saved, header)
    with pytest.raises(ModelError, match=r"arrays\.npz: it cannot be read"):
        load_model(saved)


def test_a_corrupt_compressed_array_is_refused(saved: Path) -> None:
    data = bytearray((saved / ARRAYS_NPZ).read_bytes())
    start = data.index(b".npy") + 4 + 20  # inside the first member's deflate stream
    data[start : start + 16] = bytes(16)
    (saved / ARRAYS_NPZ).write_bytes(bytes(data))
    rewrite(saved)
    with pytest.raises(ModelError, match=r"arrays\.npz"):
        load_model(saved)
