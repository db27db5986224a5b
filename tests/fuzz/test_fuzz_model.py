"""The model loader: a saved model with damaged arrays or an edited model.json loads or gives
a MirloopError, whether or not the tamperer updated the checksum."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mirloop.catalog import load_catalog
from mirloop.classify.fit import fit_model
from mirloop.classify.storage import ARRAYS_NPZ, MODEL_JSON, load_model, save_model, sha256_file
from mirloop.types import Features, Grid
from tests.classify.synthetic import synthetic_windows
from tests.fuzz.conftest import byte_mutations, mutate_json, only_mirloop_errors

WINDOWS = synthetic_windows(renders_per_descriptor=2, windows_per_render=3)
#: What a loaded model is asked to classify: ten windows of the training features.
FEATURES = Features(
    Grid(duration=10.0 + 2.0 * 9), WINDOWS.values[:10], WINDOWS.feature_names,
    None if WINDOWS.pca_input is None else np.asarray(WINDOWS.pca_input)[:10], "librosa",
)


def load_and_predict(model: Path) -> None:
    """Load the model and, when it loads, classify with it: both may refuse, neither may crash."""
    with only_mirloop_errors():
        load_model(model).predict(FEATURES)


@pytest.fixture(scope="module", params=["knn", "mlp"])
def saved_model(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    windows = WINDOWS
    model = fit_model(
        windows,
        request.param,
        hyperparameters={"hidden_layer_sizes": [4], "max_iter": 50} if request.param == "mlp" else None,
        provenance={"feature_backend": "librosa", "catalog_version": load_catalog().version},
    )
    return save_model(model, tmp_path_factory.mktemp("models") / request.param)


def copy_of(saved: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("case") / "model"
    shutil.copytree(saved, target)
    return target


def rearm(model: Path) -> None:
    """Record the arrays' checksum in model.json, as a tamperer would."""
    document = json.loads((model / MODEL_JSON).read_text())
    if isinstance(document, dict):
        document["arrays_sha256"] = sha256_file(model / ARRAYS_NPZ)
        (model / MODEL_JSON).write_text(json.dumps(document))


@given(data=st.data())
def test_damaged_arrays(
    data: st.DataObject, saved_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    model = copy_of(saved_model, tmp_path_factory)
    arrays = model / ARRAYS_NPZ
    arrays.write_bytes(data.draw(byte_mutations(arrays.read_bytes())))
    if data.draw(st.booleans(), label="checksum updated"):
        rearm(model)
    load_and_predict(model)


@given(data=st.data())
def test_edited_model_json(
    data: st.DataObject, saved_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    model = copy_of(saved_model, tmp_path_factory)
    document = json.loads((model / MODEL_JSON).read_text())
    edited = copy.deepcopy(document)
    for _ in range(data.draw(st.integers(1, 3))):
        edited = mutate_json(data.draw, edited)
    text = json.dumps(edited)
    if data.draw(st.booleans(), label="bytes damaged too"):
        (model / MODEL_JSON).write_bytes(data.draw(byte_mutations(text.encode())))
    else:
        (model / MODEL_JSON).write_text(text)
    load_and_predict(model)
