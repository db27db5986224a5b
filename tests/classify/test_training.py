"""Training from a dataset folder: honest grouped evaluation next to the paper's leaky one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mirloop.classify.evaluation import read_descriptor_scores
from mirloop.classify.storage import load_model
from mirloop.classify.windows import LabeledWindows
from mirloop.cli.main import main
from mirloop.errors import ModelError
from mirloop.pipelines.training import evaluate_saved_model, train_from_dataset
from tests.classify.synthetic import synthetic_windows, write_synthetic_dataset


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # hard enough that leaking renders across the split visibly inflates the score
    windows = synthetic_windows(renders_per_descriptor=6, windows_per_render=8, spread=0.9, seed=1)
    return write_synthetic_dataset(tmp_path_factory.mktemp("data"), windows)


def test_training_holds_out_whole_renders_and_records_them(dataset: Path, tmp_path: Path) -> None:
    result = train_from_dataset(dataset, tmp_path / "model", kind="knn")
    assert result.grouped is not None and result.leaky is not None
    heldout = set(result.model.info.heldout_groups)
    assert heldout and result.grouped.n_groups == len(heldout)
    assert result.model.info.n_groups + len(heldout) == 54
    assert load_model(tmp_path / "model").info.heldout_groups == result.model.info.heldout_groups
    summary = json.loads((tmp_path / "model" / "evaluation" / "summary.json").read_text())
    assert set(summary["targets"]["genre"]) == {"grouped", "leaky"}
    assert (tmp_path / "model" / "evaluation" / "grouped_confusion_genre.png").stat().st_size > 1000


def test_training_saves_the_held_out_render_accuracy_of_every_descriptor(
    dataset: Path, tmp_path: Path
) -> None:
    result = train_from_dataset(
        dataset, tmp_path / "model", kind="knn", leaky_comparison=False, figures=False
    )
    assert result.grouped is not None
    scores = read_descriptor_scores(tmp_path / "model")
    assert scores is not None and set(scores) >= {"genre", "mood", "momentum", "descriptor"}
    renders = result.grouped.renders_per_descriptor
    assert set(scores["mood"]) == set(renders) and sum(renders.values()) == result.grouped.n_groups
    # the per-descriptor accuracies average (weighted by renders) to the overall render accuracy
    for target in ("genre", "mood"):
        weighted = sum(scores[target][d] * n for d, n in renders.items()) / result.grouped.n_groups
        assert weighted == pytest.approx(result.grouped.targets[target].render_accuracy, abs=1e-3)
    assert all(0.0 <= a <= 1.0 for by in scores.values() for a in by.values())
    assert read_descriptor_scores(tmp_path) is None  # no model here: nothing to compare with


def test_the_leaky_window_split_scores_higher_than_the_grouped_one(dataset: Path, tmp_path: Path) -> None:
    result = train_from_dataset(dataset, tmp_path / "model", kind="knn", figures=False)
    assert result.grouped is not None and result.leaky is not None
    assert result.leaky.targets["descriptor"].accuracy > result.grouped.targets["descriptor"].accuracy


def test_evaluating_on_the_training_table_scores_only_the_held_out_renders(
    dataset: Path, tmp_path: Path
) -> None:
    result = train_from_dataset(
        dataset, tmp_path / "model", kind="knn", leaky_comparison=False, figures=False
    )
    evaluation = evaluate_saved_model(tmp_path / "model", dataset)
    assert evaluation.n_groups == len(result.model.info.heldout_groups)
    assert result.grouped is not None
    assert evaluation.targets["mood"].accuracy == pytest.approx(result.grouped.targets["mood"].accuracy)


def test_a_model_trained_on_every_render_cannot_be_scored_on_its_own_table(
    dataset: Path, tmp_path: Path
) -> None:
    train_from_dataset(dataset, tmp_path / "model", kind="knn", test_size=0.0, figures=False)
    with pytest.raises(ModelError, match="trained on every render"):
        evaluate_saved_model(tmp_path / "model", dataset)


def test_a_table_from_another_feature_backend_is_refused(
    dataset: Path, tmp_path: Path, windows: LabeledWindows
) -> None:
    train_from_dataset(dataset, tmp_path / "model", kind="knn", leaky_comparison=False, figures=False)
    other = write_synthetic_dataset(tmp_path / "other", windows, feature_backend="essentia")
    with pytest.raises(ModelError, match="'essentia' features"):
        evaluate_saved_model(tmp_path / "model", other)


def test_the_train_and_evaluate_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dataset = write_synthetic_dataset(
        tmp_path / "data", synthetic_windows(renders_per_descriptor=4, windows_per_render=5)
    )
    model = tmp_path / "mlp"
    assert (
        main(
            [
                "train",
                str(dataset),
                "-o",
                str(model),
                "--classifier",
                "mlp",
                "--hidden",
                "16",
                "--no-leaky",
                "--json",
            ]
        )
        == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["classifier"] == "mlp" and all(c["converged"] for c in summary["convergence"].values())
    scores = tmp_path / "scores" / "descriptors.json"
    assert (
        main(
            [
                "evaluate",
                str(model),
                str(dataset),
                "--json",
                "--figures",
                str(tmp_path / "figs"),
                "--descriptor-scores",
                str(scores),
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert set(report["targets"]) >= {"genre", "subgenre", "mood", "sentiment", "valence", "momentum"}
    saved = json.loads(scores.read_text())
    assert saved["render_accuracy"]["mood"] == pytest.approx(
        report["targets"]["mood"]["per_descriptor_render_accuracy"], abs=1e-4
    )
    assert (tmp_path / "figs" / "confusion_mood.png").is_file()
    assert main(["evaluate", str(tmp_path), str(dataset)]) == 2
    assert "model.json is missing" in capsys.readouterr().err
