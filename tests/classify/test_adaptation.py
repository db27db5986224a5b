"""Unsupervised domain adaptation: real-music rows moved onto the renders' feature space."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from attrs import evolve

from mirloop.classify.adaptation import MIN_TARGET_WINDOWS, Adaptation, fit_adaptation
from mirloop.classify.model import HierarchicalModel
from mirloop.classify.storage import load_model, save_model
from mirloop.classify.windows import LabeledWindows
from mirloop.errors import ModelError


def _correlated(rng: np.random.Generator, n: int, mix: np.ndarray, offset: float) -> np.ndarray:
    return rng.normal(size=(n, mix.shape[0])) @ mix + offset


def test_coral_moves_real_rows_onto_the_renders_means_and_covariances() -> None:
    rng = np.random.default_rng(0)
    source = _correlated(rng, 4000, rng.normal(size=(6, 6)), 3.0)
    target = _correlated(rng, 3000, rng.normal(size=(6, 6)), -2.0)

    moved = fit_adaptation(source, target, method="coral", shrinkage=0.0).apply(target)

    np.testing.assert_allclose(moved.mean(axis=0), source.mean(axis=0), atol=1e-4)
    np.testing.assert_allclose(np.cov(moved.T), np.cov(source.T), atol=1e-3 * np.abs(np.cov(source.T)).max())


def test_standardize_matches_means_and_deviations_but_keeps_the_real_correlations() -> None:
    rng = np.random.default_rng(1)
    source = rng.normal(5.0, 2.0, size=(2000, 3))
    target = _correlated(rng, 2000, np.array([[1.0, 0.9, 0.0], [0.0, 0.4, 0.0], [0.0, 0.0, 3.0]]), 1.0)

    moved = fit_adaptation(source, target, method="standardize").apply(target)

    np.testing.assert_allclose(moved.mean(axis=0), source.mean(axis=0), atol=1e-4)
    np.testing.assert_allclose(moved.std(axis=0), source.std(axis=0), rtol=1e-4)
    np.testing.assert_allclose(np.corrcoef(moved.T), np.corrcoef(target.T), atol=1e-6)


def test_a_feature_constant_in_one_domain_is_shifted_not_blown_up() -> None:
    rng = np.random.default_rng(2)
    source = rng.normal(size=(500, 3))
    target = rng.normal(size=(500, 3))
    target[:, 1] = 7.0

    moved = fit_adaptation(source, target).apply(target)

    assert np.all(np.isfinite(moved))
    np.testing.assert_allclose(moved[:, 1], source[:, 1].mean(), atol=1e-5)


def _shifted(windows: LabeledWindows) -> np.ndarray:
    """The windows as another recording chain would give them: every feature rescaled and offset."""
    rng = np.random.default_rng(3)
    n = windows.values.shape[1]
    return np.asarray(windows.values * rng.uniform(0.3, 3.0, n) + rng.normal(0.0, 3.0, n), dtype=np.float32)


def _genre_accuracy(model: HierarchicalModel, x: np.ndarray, windows: LabeledWindows, domain: str) -> float:
    design = model.design_matrix(x, windows.pca_input, domain=domain)
    genre = model.predict_matrices(design)["genre"]
    predicted = np.asarray(model.classes["genre"])[genre.argmax(axis=1)]
    return float(np.mean(predicted == windows.labels["genre"]))


@pytest.mark.parametrize("method", ["standardize", "coral"])
def test_a_shifted_domain_that_defeats_the_model_is_recovered_without_its_labels(
    mlp_model: HierarchicalModel, windows: LabeledWindows, method: str
) -> None:
    shifted = _shifted(windows)
    source = mlp_model.design_matrix(windows.values, windows.pca_input)
    target = mlp_model.design_matrix(shifted, windows.pca_input)
    adapted = evolve(mlp_model, adaptation=fit_adaptation(source, target, method=method))

    before = _genre_accuracy(mlp_model, shifted, windows, "real")
    after = _genre_accuracy(adapted, shifted, windows, "real")

    assert after > 0.9 and after - before > 0.15, (before, after)
    # the renders themselves are not moved: the adapted model hears them as the original does
    assert _genre_accuracy(adapted, windows.values, windows, "render") == _genre_accuracy(
        mlp_model, windows.values, windows, "render"
    )


def test_the_adaptation_is_saved_with_the_model_and_applies_to_real_input_only(
    knn_model: HierarchicalModel, windows: LabeledWindows, tmp_path: Path
) -> None:
    from mirloop.types import Features, Grid

    source = knn_model.design_matrix(windows.values, windows.pca_input)
    adaptation = fit_adaptation(source, _shifted(windows), method="coral", fitted_on="test rows")
    loaded = load_model(save_model(evolve(knn_model, adaptation=adaptation), tmp_path / "adapted"))

    assert loaded.adaptation is not None
    np.testing.assert_array_equal(loaded.adaptation.matrix, adaptation.matrix)
    assert json.loads((tmp_path / "adapted" / "model.json").read_text())["adaptation"]["method"] == "coral"
    rows = windows.subset(np.arange(12))
    features = Features(Grid(duration=2.0 * 11 + 10.0), rows.values, rows.feature_names, rows.pca_input)
    as_render = loaded.predict(features, domain="render")["genre"].probabilities
    as_real = loaded.predict(features, domain="real")["genre"].probabilities
    original = knn_model.predict(features, domain="real")["genre"].probabilities
    np.testing.assert_array_equal(as_render, original)
    assert not np.array_equal(as_real, as_render)
    with pytest.raises(ModelError, match="unknown input domain"):
        loaded.predict(features, domain="studio")


@pytest.mark.parametrize(
    ("source", "target", "kwargs", "message"),
    [
        ((100, 4), (MIN_TARGET_WINDOWS - 1, 4), {}, "at least"),
        ((100, 4), (100, 5), {}, "features but target rows"),
        ((100, 4), (100, 4), {"method": "magic"}, "unknown adaptation method"),
        ((100, 4), (100, 4), {"shrinkage": 1.5}, "shrinkage"),
        ((1, 4), (100, 4), {}, "at least 2 rows"),
    ],
)
def test_bad_adaptation_inputs_are_named(
    source: tuple[int, int], target: tuple[int, int], kwargs: dict[str, object], message: str
) -> None:
    rng = np.random.default_rng(4)
    with pytest.raises(ModelError, match=message):
        fit_adaptation(rng.normal(size=source), rng.normal(size=target), **kwargs)  # type: ignore[arg-type]


def test_nan_rows_and_malformed_adaptation_arrays_are_refused() -> None:
    rng = np.random.default_rng(5)
    target = rng.normal(size=(50, 3))
    target[3, 1] = np.nan
    with pytest.raises(ModelError, match="NaN"):
        fit_adaptation(rng.normal(size=(50, 3)), target)
    with pytest.raises(ModelError, match="shapes"):
        Adaptation("coral", np.zeros(3), np.zeros(3), np.eye(4))
    with pytest.raises(ModelError, match="NaN"):
        Adaptation("coral", np.zeros(2), np.zeros(2), np.array([[1.0, np.inf], [0.0, 1.0]]))


def test_a_model_file_whose_adaptation_has_the_wrong_width_is_refused(
    knn_model: HierarchicalModel, tmp_path: Path
) -> None:
    n = len(knn_model.info.feature_names) - 1
    wrong = Adaptation("standardize", np.zeros(n), np.zeros(n), np.eye(n))
    save_model(evolve(knn_model, adaptation=wrong), tmp_path / "wrong")
    with pytest.raises(ModelError, match="refit it with `mirloop adapt`"):
        load_model(tmp_path / "wrong")


# --- the command, end to end on real renders and a real feature backend --------------------------


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny render dataset, a KNN trained on it, and 'real' tracks: the same music through
    another chain (low-passed, compressed, noisy), written as files."""
    from scipy.signal import butter, sosfilt

    from mirloop.dataset.generate import generate_dataset
    from mirloop.pipelines.training import train_from_dataset
    from mirloop.renderer import render
    from mirloop.timeline import single_region

    root = tmp_path_factory.mktemp("adapt")
    generate_dataset(
        root / "data", per_descriptor=2, durations=[12.0], limit_descriptors=2, workers=1, progress=False
    )
    train_from_dataset(
        root / "data", root / "model", kind="knn", test_size=0.0, leaky_comparison=False, figures=False
    )
    import pandas as pd

    descriptors = sorted(set(pd.read_parquet(root / "data" / "features.parquet")["descriptor"]))
    real = root / "real"
    real.mkdir()
    sos = butter(4, 2500, fs=22050, output="sos")
    rng = np.random.default_rng(6)
    for i, descriptor in enumerate(descriptors * 2):
        audio = render(single_region(descriptor, 24.0, seed=40 + i), seed=40 + i, config={"sr": 22050}).audio
        mono = np.tanh(3.0 * sosfilt(sos, audio.samples.mean(axis=0)))
        sf.write(real / f"track{i}.wav", 0.3 * mono + 0.01 * rng.normal(size=mono.shape), 22050)
    (real / "broken.wav").write_bytes(b"not audio at all")
    return {"data": root / "data", "model": root / "model", "real": real}


def test_the_adapt_command_writes_an_adapted_model_and_reports_a_failed_track(
    rendered: dict[str, Path], tmp_path: Path
) -> None:
    from mirloop.cli.main import main

    code = main(
        [
            "adapt", str(rendered["model"]), str(rendered["real"]), "-o", str(tmp_path / "adapted"),
            "--source", str(rendered["data"]), "--method", "standardize", "--json",
        ]
    )

    assert code == 1  # broken.wav failed; the others were used
    adapted = load_model(tmp_path / "adapted")
    assert adapted.adaptation is not None and adapted.adaptation.method == "standardize"
    assert "4 real tracks" in adapted.adaptation.fitted_on
    original = load_model(rendered["model"])
    assert adapted.nodes.keys() == original.nodes.keys()


def test_the_adapt_command_refuses_to_overwrite_the_model_it_adapts(rendered: dict[str, Path]) -> None:
    from mirloop.cli.main import main

    code = main(
        ["adapt", str(rendered["model"]), str(rendered["real"]), "-o", str(rendered["model"]),
         "--source", str(rendered["data"])]
    )

    assert code == 2
    assert load_model(rendered["model"]).adaptation is None


def test_the_loop_classifies_its_renders_as_renders() -> None:
    from mirloop.config import load_config
    from mirloop.loop.configuration import render_analysis_config

    config = load_config({"classifier": {"backend": "mlp"}})

    assert render_analysis_config(config, segment=False).options("classifier")["domain"] == "render"
    assert config.options("classifier").get("domain", "real") == "real"
