"""Model files: a round trip keeps every prediction; tampered or mismatched models are refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mirloop.classify.model import HierarchicalModel
from mirloop.classify.storage import ARRAYS_NPZ, MODEL_JSON, load_model, model_kind, sha256_file
from mirloop.classify.windows import LabeledWindows
from mirloop.errors import ModelError
from mirloop.types import Features, Grid
from tests.classify.conftest import CATALOG_VERSION


def as_features(windows: LabeledWindows, rows: slice, backend: str = "librosa") -> Features:
    values = windows.values[rows]
    grid = Grid(duration=10.0 + 2.0 * (len(values) - 1))
    return Features(grid, values, windows.feature_names, windows.pca_input[rows], backend)  # type: ignore[index]


def test_a_saved_model_predicts_exactly_what_the_trained_one_did(
    model: HierarchicalModel, saved: Path, windows: LabeledWindows
) -> None:
    loaded = load_model(saved)
    features = as_features(windows, slice(0, 40))
    before, after = model.predict(features), loaded.predict(features)
    for target in before.targets:
        np.testing.assert_array_equal(before[target].probabilities, after[target].probabilities)
        assert before[target].classes == after[target].classes
        assert before[target].threshold == after[target].threshold
    assert loaded.info == model.info


def test_the_model_directory_is_plain_json_and_a_pickle_free_npz(saved: Path) -> None:
    document = json.loads((saved / MODEL_JSON).read_text())
    assert document["format_version"] == 1
    info = document["info"]
    for key in (
        "feature_backend",
        "feature_names",
        "catalog_version",
        "library_versions",
        "table_sha256",
        "hyperparameters",
    ):
        assert key in info
    with np.load(saved / ARRAYS_NPZ, allow_pickle=False) as arrays:
        assert all(arrays[key].dtype != object for key in arrays.files)


def test_edited_arrays_are_refused(saved: Path) -> None:
    with np.load(saved / ARRAYS_NPZ, allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    first = sorted(arrays)[0]
    arrays[first] = arrays[first] * 0
    np.savez_compressed(saved / ARRAYS_NPZ, **arrays)
    with pytest.raises(ModelError, match="checksum"):
        load_model(saved)


def test_arrays_needing_pickle_are_refused_even_with_a_matching_checksum(saved: Path) -> None:
    np.savez(saved / ARRAYS_NPZ, evil=np.array([{"code": "os.system"}], dtype=object))
    document = json.loads((saved / MODEL_JSON).read_text())
    document["arrays_sha256"] = sha256_file(saved / ARRAYS_NPZ)
    (saved / MODEL_JSON).write_text(json.dumps(document))
    with pytest.raises(ModelError, match="cannot be read safely"):
        load_model(saved)


def test_a_newer_format_or_a_foreign_file_is_refused(saved: Path) -> None:
    document = json.loads((saved / MODEL_JSON).read_text())
    (saved / MODEL_JSON).write_text(json.dumps({**document, "format_version": 99}))
    with pytest.raises(ModelError, match="format version 99"):
        load_model(saved)
    (saved / MODEL_JSON).write_text("{not json")
    with pytest.raises(ModelError, match="not valid JSON"):
        load_model(saved)


def test_a_model_missing_a_local_classifier_is_refused(saved: Path) -> None:
    document = json.loads((saved / MODEL_JSON).read_text())
    document["nodes"] = [n for n in document["nodes"] if n["target"] != "mood"]
    (saved / MODEL_JSON).write_text(json.dumps(document))
    with pytest.raises(ModelError, match="lacks local classifiers"):
        load_model(saved)


def test_a_missing_model_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="mirloop train"):
        load_model(tmp_path / "nowhere")


def test_the_kind_of_a_model_is_read_from_its_json_alone(model: HierarchicalModel, saved: Path) -> None:
    (saved / ARRAYS_NPZ).unlink()  # the loop picks the classifier backend before any array loads
    assert model_kind(saved) == model.kind
    document = json.loads((saved / MODEL_JSON).read_text())
    del document["info"]["kind"]
    (saved / MODEL_JSON).write_text(json.dumps(document))
    with pytest.raises(ModelError, match="names no model kind"):
        model_kind(saved)
    with pytest.raises(ModelError, match="mirloop train"):
        model_kind(saved.parent / "nowhere")


def test_features_from_another_backend_or_with_other_columns_are_refused(
    knn_model: HierarchicalModel, windows: LabeledWindows
) -> None:
    with pytest.raises(ModelError, match="backend 'librosa'"):
        knn_model.predict(as_features(windows, slice(0, 5), backend="essentia"))
    features = as_features(windows, slice(0, 5))
    renamed = Features(
        features.grid, features.values, tuple(reversed(features.names)), features.pca_input, "librosa"
    )
    with pytest.raises(ModelError, match="trained on features"):
        knn_model.predict(renamed)
    without_pca_input = Features(features.grid, features.values, features.names, None, "librosa")
    with pytest.raises(ModelError, match="pca_input"):
        knn_model.predict(without_pca_input)


def test_a_model_for_another_feature_backend_or_catalog_is_refused(knn_model: HierarchicalModel) -> None:
    knn_model.check_setup(feature_backend="librosa", catalog_version=CATALOG_VERSION)
    with pytest.raises(ModelError, match="feature backend 'librosa'"):
        knn_model.check_setup(feature_backend="essentia")
    with pytest.raises(ModelError, match=f"catalog version '{CATALOG_VERSION}'"):
        knn_model.check_setup(catalog_version="0123456789ab")


def test_the_pca_projection_always_yields_three_coefficients() -> None:
    from mirloop.classify.fit import fit_projection

    projection = fit_projection(np.arange(10.0).reshape(2, 5))  # two windows: one real axis
    assert projection.apply(np.ones((4, 5))).shape == (4, 3)
