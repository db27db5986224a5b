"""``mirloop dataset merge``: the window tables of two builds as one dataset, trained on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from mirloop import plugins
from mirloop.classify.feature_table import DatasetInfo
from mirloop.cli.main import main
from mirloop.dataset.generate import GenerationReport, generate_dataset
from mirloop.dataset.merge import merge_datasets
from mirloop.dataset.refeature import refeature_dataset
from mirloop.errors import DatasetError
from tests.dataset.conftest import TINY
from tests.evaluation import level_backends

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema.*")


def test_two_builds_merge_into_one_table_that_trains(
    tiny_dataset: tuple[Path, GenerationReport], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tiny_dataset[0]
    second = tmp_path / "other"
    generate_dataset(second, **{**TINY, "seed": 5})  # type: ignore[arg-type]
    out, model = tmp_path / "both", tmp_path / "model"

    assert main(["dataset", "merge", str(first), str(second), "-o", str(out)]) == 0

    said = capsys.readouterr().out
    a, b = pd.read_parquet(first / "features.parquet"), pd.read_parquet(second / "features.parquet")
    merged = pd.read_parquet(out / "features.parquet")
    assert len(merged) == len(a) + len(b)
    assert set(merged.render_id) == {f"data/{r}" for r in a.render_id} | {f"other/{r}" for r in b.render_id}
    ours = merged.drop(columns="render_id").iloc[: len(a)]
    pd.testing.assert_frame_equal(ours, a.drop(columns="render_id"))
    info = DatasetInfo.read(out)
    assert info.feature_names == DatasetInfo.read(first).feature_names
    assert [m["prefix"] for m in info.generation["merged_from"]] == ["data", "other"]
    assert info.generation["merged_from"][1]["generation"]["seed"] == 5
    assert f"wrote {out}: 8 renders, {len(merged)} windows" in said
    train = ["train", str(out), "-o", str(model), "--classifier", "knn", "--test-size", "0", "--json"]
    assert main(train) == 0
    assert json.loads((model / "model.json").read_text())["info"]["feature_names"] == list(info.feature_names)


def test_a_merge_is_refused_when_the_tables_differ_or_would_overwrite(
    tiny_dataset: tuple[Path, GenerationReport], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tiny_dataset[0]
    monkeypatch.setattr(plugins, "_REGISTRY", plugins.build_registry(extra_plugins=(level_backends,)))
    level = tmp_path / "level"
    refeature_dataset(source, level, config={"features": {"backend": "level"}}, workers=1, progress=False)

    with pytest.raises(DatasetError, match=r"differ in feature_backend .*: librosa; .*: level\); re-extract"):
        merge_datasets([source, level], tmp_path / "out")
    with pytest.raises(DatasetError, match="is one of the datasets being merged"):
        merge_datasets([source, level], level)
    with pytest.raises(DatasetError, match="at least two datasets"):
        merge_datasets([source], tmp_path / "out")
    twin = tmp_path / "twin" / "data"
    shutil.copytree(source, twin)
    merge_datasets([source, twin], tmp_path / "same-names")  # two folders named data: numbered
    ids = set(pd.read_parquet(tmp_path / "same-names" / "features.parquet").render_id)
    assert {i.split("/")[0] for i in ids} == {"0-data", "1-data"}
    assert main(["dataset", "merge", str(source), str(twin), "-o", str(tmp_path / "same-names")]) == 2
    assert "exists; merge into a new folder" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
