"""The knn and mlp classifier backends serve a trained model through the plugin registry."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mirloop.classify.aggregate import segment_predictions, track_labels
from mirloop.classify.model import HierarchicalModel
from mirloop.classify.windows import LabeledWindows
from mirloop.errors import ModelError, OptionError
from mirloop.plugins import registry
from mirloop.types import Grid, Prediction, Segment, Segmentation, TargetPrediction
from tests.classify.test_model_files import as_features


def test_both_backends_are_registered_as_built_in_classifiers() -> None:
    reg = registry()
    assert {"knn", "mlp"} <= set(reg.names("classifier"))
    assert reg.get("classifier", "knn").dist == "mirloop"


def test_a_backend_predicts_with_the_model_it_is_given(
    model: HierarchicalModel, saved: Path, windows: LabeledWindows
) -> None:
    backend = registry().create("classifier", model.kind, {"model": str(saved)})
    features = as_features(windows, slice(0, 12))
    prediction = backend.predict(features)
    assert isinstance(prediction, Prediction)
    assert set(prediction.targets) >= {"genre", "subgenre", "mood", "sentiment", "valence", "momentum"}
    assert prediction["genre"].probabilities.shape == (12, 3)
    assert prediction["descriptor"].labels[0] == windows.labels["descriptor"][0]


def test_a_model_of_the_other_kind_is_refused(
    model: HierarchicalModel, saved: Path, windows: LabeledWindows
) -> None:
    other = "mlp" if model.kind == "knn" else "knn"
    backend = registry().create("classifier", other, {"model": str(saved)})
    with pytest.raises(ModelError, match=f"use --use classifier={model.kind}"):
        backend.predict(as_features(windows, slice(0, 3)))


def test_without_a_model_the_error_says_how_to_train_one(
    windows: LabeledWindows, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MIRLOOP_MODEL", raising=False)
    backend = registry().create("classifier", "knn")  # only mlp has a shipped default model
    with pytest.raises(ModelError, match="mirloop train"):
        backend.predict(as_features(windows, slice(0, 3)))
    with pytest.raises(OptionError):
        registry().create("classifier", "knn", {"modle": "x"})


def test_segments_average_the_windows_that_own_their_time() -> None:
    grid = Grid(duration=20.0)  # windows start at 0, 2, 4, 6, 8, 10
    assert grid.n_windows == 6
    probabilities = np.array([[1.0, 0.0]] * 3 + [[0.0, 1.0]] * 3)
    prediction = Prediction({"genre": TargetPrediction("genre", ("rock", "folk"), probabilities)})
    segments = Segmentation((Segment(0.0, 6.0, "A"), Segment(6.0, 20.0, "B")), 2)
    first, second = segment_predictions(prediction, segments, grid)
    np.testing.assert_allclose(first.probabilities["genre"], [1.0, 0.0])
    np.testing.assert_allclose(second.probabilities["genre"], [0.0, 1.0])
    assert (first.labels["genre"], second.labels["genre"]) == ("rock", "folk")
    assert track_labels(prediction) == {"genre": "rock"}  # mean is 0.5 / 0.5: the first class


def test_a_model_trained_on_another_catalog_is_refused_at_prediction(
    windows: LabeledWindows, tmp_path: Path
) -> None:
    from mirloop.classify.fit import fit_model
    from mirloop.classify.storage import save_model

    stale = fit_model(
        windows.subset(np.arange(60)),
        "knn",
        validation_fraction=0.0,
        provenance={"feature_backend": "librosa", "catalog_version": "0123456789ab"},
    )
    path = save_model(stale, tmp_path / "stale")
    backend = registry().create("classifier", "knn", {"model": str(path)})
    with pytest.raises(ModelError, match="catalog version '0123456789ab'"):
        backend.predict(as_features(windows, slice(0, 3)))
