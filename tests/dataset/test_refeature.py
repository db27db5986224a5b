"""``mirloop dataset features``: a dataset's renders re-featurized by another backend, then trained on."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mirloop import plugins
from mirloop.classify.feature_table import DatasetInfo
from mirloop.cli.main import main
from mirloop.dataset.generate import GenerationReport, generate_dataset
from mirloop.dataset.refeature import refeature_dataset
from mirloop.errors import DatasetError
from tests.dataset.conftest import TINY
from tests.evaluation import level_backends
from tests.evaluation.conftest import write_manifest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema.*")
LEVEL = {"features": {"backend": "level"}}


@pytest.fixture
def level_registry(monkeypatch: pytest.MonkeyPatch) -> plugins.Registry:
    registry = plugins.build_registry(extra_plugins=(level_backends,))
    monkeypatch.setattr(plugins, "_REGISTRY", registry)
    return registry


def test_the_same_backend_gives_back_the_source_table_without_copying_audio(
    tiny_dataset: tuple[Path, GenerationReport], tmp_path: Path
) -> None:
    source = tiny_dataset[0]
    out = tmp_path / "again"

    report = refeature_dataset(source, out, workers=2, progress=False)

    assert (report.planned, report.made, report.collected) == (4, 4, True)
    assert (out / "renders").is_symlink() and (out / "renders").resolve() == (source / "renders").resolve()
    assert not any(
        p.suffix in (".ogg", ".flac") for p in out.rglob("*") if not p.is_relative_to(out / "renders")
    )
    before, after = pd.read_parquet(source / "features.parquet"), pd.read_parquet(out / "features.parquet")
    assert list(after.columns) == list(before.columns)
    pd.testing.assert_frame_equal(after, before)
    manifest = pd.read_parquet(out / "manifest.parquet")
    assert (
        manifest["render_id"].tolist() == pd.read_parquet(source / "manifest.parquet")["render_id"].tolist()
    )
    info = DatasetInfo.read(out)
    assert info.feature_backend == "librosa" and info.feature_names == DatasetInfo.read(source).feature_names
    assert info.generation["features_from"] == str(source.resolve())


def test_a_backend_without_pca_input_is_trained_on_and_its_model_refuses_other_features(
    tiny_dataset: tuple[Path, GenerationReport],
    level_registry: plugins.Registry,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source, out, model = tiny_dataset[0], tmp_path / "level", tmp_path / "model"

    refeature_dataset(source, out, config=LEVEL, workers=1, progress=False)

    table = pd.read_parquet(out / "features.parquet")
    assert "rms" in table.columns and "mfcc_1" not in table.columns
    assert not [c for c in table.columns if c.startswith("pca_input_")]
    assert DatasetInfo.read(out).feature_names == ("rms",)
    assert np.all(table["rms"] > 0)
    assert (
        main(["train", str(out), "-o", str(model), "--classifier", "knn", "--test-size", "0", "--json"]) == 0
    )
    saved = json.loads((model / "model.json").read_text())
    assert saved["info"]["feature_backend"] == "level" and saved["info"]["feature_names"] == ["rms"]
    assert saved["projection"] is None  # no pca_input, nothing to project
    capsys.readouterr()

    render = source / pd.read_parquet(source / "manifest.parquet").iloc[0]["audio"]
    manifest = write_manifest(
        tmp_path / "manifest.csv", [{"track_id": "r", "path": render.name, "coarse_label": "pop"}]
    )
    arguments = ["evaluate-real", str(manifest), "--root", str(render.parent), "--model", str(model)]
    assert main([*arguments, "-o", str(tmp_path / "e1")]) == 2
    assert "the model needs feature backend 'level' but 'librosa' is configured" in capsys.readouterr().err
    assert main([*arguments, "-o", str(tmp_path / "e2"), "--use", "features=level", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_scored"] == 1
    assert main(["classify", str(render), "--model", str(model)]) == 2
    assert "needs feature backend 'level'" in capsys.readouterr().err


def test_a_rerun_keeps_finished_renders_and_redoes_only_damaged_ones(
    tiny_dataset: tuple[Path, GenerationReport], level_registry: plugins.Registry, tmp_path: Path
) -> None:
    source, out = tiny_dataset[0], tmp_path / "level"
    refeature_dataset(source, out, config=LEVEL, workers=1, progress=False)
    first = sorted((out / "parts").glob("*.parquet"))[0]
    first.write_bytes(first.read_bytes()[:-10])

    again = refeature_dataset(source, out, config=LEVEL, workers=1, progress=False)

    assert (again.already_done, again.made, again.collected) == (3, 1, True)
    assert len(pd.read_parquet(out / "features.parquet")) == len(pd.read_parquet(source / "features.parquet"))
    with pytest.raises(DatasetError, match=r"holds features of .* from backend 'level'"):
        refeature_dataset(source, out, workers=1, progress=False)  # librosa into the same folder
    with pytest.raises(DatasetError, match=r"holds features re-extracted from .*; generate into another"):
        generate_dataset(out, **TINY)  # type: ignore[arg-type]  # would render into the source's renders


def test_an_unfinished_source_or_the_source_itself_as_output_is_refused(
    tiny_dataset: tuple[Path, GenerationReport], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tiny_dataset[0]
    with pytest.raises(DatasetError, match="must differ from the dataset"):
        refeature_dataset(source, source, progress=False)
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    (unfinished / "dataset.json").write_text((source / "dataset.json").read_text())

    code = main(["dataset", "features", str(unfinished), "-o", str(tmp_path / "out"), "--no-progress"])

    assert code == 2 and "its generation is unfinished" in capsys.readouterr().err


def test_the_features_command_reports_what_it_did(
    tiny_dataset: tuple[Path, GenerationReport], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "again"
    arguments = [
        "dataset",
        "features",
        str(tiny_dataset[0]),
        "-o",
        str(out),
        "--workers",
        "1",
        "--no-progress",
    ]

    assert main(arguments) == 0
    assert "4 renders re-extracted, 0 already done, 0 failed of 4" in capsys.readouterr().out
    assert main([*arguments, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) | {"wall_seconds": 0} == {
        "root": str(out),
        "planned": 4,
        "already_done": 4,
        "made": 0,
        "failed": [],
        "wall_seconds": 0,
        "feature_seconds": 0,
        "audio_seconds": 0,
        "workers": 1,
        "collected": True,
    }


def test_a_render_that_cannot_be_read_fails_alone_and_the_command_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "data"
    generate_dataset(source, **TINY)  # type: ignore[arg-type]
    broken = source / pd.read_parquet(source / "manifest.parquet").iloc[0]["audio"]
    broken.write_bytes(b"not audio any more")

    code = main(["dataset", "features", str(source), "-o", str(tmp_path / "new"), "--no-progress"])

    assert code == 1  # like every batch command: some items failed, the others were done
    err = capsys.readouterr().err
    assert "1 render(s) failed" in err and "failed: " in err
