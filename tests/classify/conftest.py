"""Trained models on synthetic windows, shared by the classifier tests (trained once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirloop.catalog import load_catalog
from mirloop.classify.fit import fit_model
from mirloop.classify.model import HierarchicalModel
from mirloop.classify.windows import LabeledWindows
from tests.classify.synthetic import synthetic_windows

CATALOG_VERSION = load_catalog().version
SMALL_MLP = {"hidden_layer_sizes": [16], "max_iter": 800}


@pytest.fixture(scope="session")
def windows() -> LabeledWindows:
    return synthetic_windows()


@pytest.fixture(scope="session")
def knn_model(windows: LabeledWindows) -> HierarchicalModel:
    return fit_model(
        windows, "knn", provenance={"feature_backend": "librosa", "catalog_version": CATALOG_VERSION}
    )


@pytest.fixture(scope="session")
def mlp_model(windows: LabeledWindows) -> HierarchicalModel:
    return fit_model(
        windows,
        "mlp",
        hyperparameters=SMALL_MLP,
        provenance={"feature_backend": "librosa", "catalog_version": CATALOG_VERSION},
    )


@pytest.fixture(params=["knn", "mlp"])
def model(request: pytest.FixtureRequest) -> HierarchicalModel:
    fixture: HierarchicalModel = request.getfixturevalue(f"{request.param}_model")
    return fixture


@pytest.fixture
def saved(model: HierarchicalModel, tmp_path: Path) -> Path:
    from mirloop.classify.storage import save_model

    return save_model(model, tmp_path / f"{model.kind}-model")
