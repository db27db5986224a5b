"""From generated renders to a trained model to ``mirloop classify`` on an audio file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mirloop.cli.main import main
from mirloop.dataset.generate import GenerationReport

# jams validates with a jsonschema API that now warns on every file it saves
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema.*")


def test_a_one_neighbour_model_recognises_its_own_training_render(
    tiny_dataset: tuple[Path, GenerationReport], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tiny_dataset[0]
    model = tmp_path / "model"
    assert (
        main(
            [
                "train",
                str(root),
                "-o",
                str(model),
                "--classifier",
                "knn",
                "--neighbors",
                "1",
                "--test-size",
                "0",
                "--json",
            ]
        )
        == 0
    )
    capsys.readouterr()
    render = pd.read_parquet(root / "manifest.parquet").iloc[0]
    assert main(["classify", str(root / render["audio"]), "--model", str(model), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["labels"]["descriptor"] == render["descriptor"]
    assert report["labels"]["genre"] == render["genre"]
    assert len(report["windows"]) == 1
    assert abs(sum(report["probabilities"]["mood"].values()) - 1.0) < 1e-3


def test_classify_refuses_a_model_for_another_feature_backend_setting(
    tiny_dataset: tuple[Path, GenerationReport], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tiny_dataset[0]
    model = tmp_path / "model"
    assert main(["train", str(root), "-o", str(model), "--test-size", "0", "--json"]) == 0
    capsys.readouterr()
    audio = str(root / pd.read_parquet(root / "manifest.parquet").iloc[0]["audio"])
    assert main(["classify", audio, "--model", str(model), "--set", "features.key_profile=krumhansl"]) == 2
    assert "feature options ['key_profile'] differ" in capsys.readouterr().err
