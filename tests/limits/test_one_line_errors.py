"""Bad configuration files and training requests give one line (status 2), never a traceback."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mirloop.cli.main import main
from tests.classify.synthetic import synthetic_windows, write_synthetic_dataset


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err.strip().splitlines()[-1]


def test_a_config_file_that_is_not_utf8_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "mirloop.toml"
    config.write_bytes(b"[tempo]\nbackend = \"\xff\xfe\"\n")
    assert main(["config", "--config", str(config)]) == 2
    assert "is not UTF-8 text (byte 19); save it as UTF-8 TOML" in one_error_line(capsys)


def test_mirloop_config_naming_a_folder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MIRLOOP_CONFIG", str(tmp_path))
    assert main(["config"]) == 2
    assert f"config file {tmp_path} is a folder; name a TOML file" in one_error_line(capsys)


def test_a_config_path_holding_a_nul_is_refused(tmp_path: Path) -> None:
    from mirloop.config import load_config
    from mirloop.errors import ConfigError

    with pytest.raises(ConfigError, match="cannot be opened"):
        load_config("mirloop\x00.toml", cwd=tmp_path, environ={})


@pytest.fixture(scope="module")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    windows = synthetic_windows(renders_per_descriptor=2, windows_per_render=3)
    return write_synthetic_dataset(tmp_path_factory.mktemp("data"), windows)


@pytest.mark.parametrize("hidden", ["a,b", "0", "64,-1", ","])
def test_hidden_layer_sizes_must_be_positive_whole_numbers(
    hidden: str, small_dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["train", str(small_dataset), "-o", str(tmp_path / "m"), "--classifier", "mlp",
                 "--hidden", hidden])
    assert code == 2
    assert "Invalid value for --hidden" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("option", [["--ensemble", "3"], ["--hidden", "16"], ["--max-iter", "10"]])
def test_mlp_options_with_the_knn_are_refused(
    option: list[str], small_dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["train", str(small_dataset), "-o", str(tmp_path / "m"), *option])
    assert code == 2
    assert f"{option[0]} is an MLP option: add --classifier mlp" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def one_render_dataset(tmp_path: Path) -> Path:
    windows = synthetic_windows(renders_per_descriptor=1, windows_per_render=3)
    first = windows.groups[0]
    return write_synthetic_dataset(tmp_path / "data", windows.subset(np.flatnonzero(windows.groups == first)))


def test_a_dataset_of_one_render_cannot_hold_out_a_test_split(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = one_render_dataset(tmp_path)
    assert main(["train", str(data), "-o", str(tmp_path / "m")]) == 2
    line = one_error_line(capsys)
    assert "the dataset holds 1 render(s); a held-out test split needs at least 2 renders" in line
    assert "--test-size 0" in line


def test_a_test_share_that_leaves_nothing_to_train_on_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    windows = synthetic_windows(renders_per_descriptor=1, windows_per_render=3)
    keep = np.isin(windows.groups, sorted(set(windows.groups.tolist()))[:2])
    data = write_synthetic_dataset(tmp_path / "data", windows.subset(np.flatnonzero(keep)))
    assert main(["train", str(data), "-o", str(tmp_path / "m"), "--test-size", "0.9"]) == 2
    assert "a held-out test split needs more windows for a test share of 0.9" in one_error_line(capsys)
