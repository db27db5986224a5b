"""``mirloop config``: the resolved configuration as TOML or JSON, its layers, and --check."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from mirloop.cli.main import cli, main

pytestmark = pytest.mark.usefixtures("toy_registry")


def test_prints_toml_that_round_trips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["config", "--use", "tempo=toy", "--set", "tempo.bpm=90"])

    assert result.exit_code == 0
    parsed = tomllib.loads(result.output)
    assert parsed["tempo"] == {"backend": "toy", "bpm": 90}
    assert parsed["separator"] == {"backend": "none"}


def test_lists_each_layer_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mirloop.toml").write_text('[key]\nbackend = "toy"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MIRLOOP_USE", "segmenter=toy")

    data = json.loads(CliRunner().invoke(cli, ["config", "--json", "--use", "tempo=toy"]).output)

    assert data["sources"] == ["defaults", str(tmp_path / "mirloop.toml"), "MIRLOOP_USE", "--use"]
    assert data["stages"]["key"]["backend"] == "toy" and data["stages"]["segmenter"]["backend"] == "toy"


def test_check_accepts_a_valid_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "analysis.toml"
    config.write_text('[tempo]\nbackend = "toy"\nbpm = 140\n[renderer]\nbackend = "none"\n')

    result = CliRunner().invoke(cli, ["config", "--config", str(config), "--check", "--json"])
    data = json.loads(result.output)

    assert data["valid"] is True and data["stages"]["tempo"]["bpm"] == 140


def test_check_names_the_bad_option_and_the_valid_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)

    status = main(["config", "--check", "--use", "tempo=toy,renderer=none", "--set", "tempo.bmp=3"])

    assert status == 2
    assert "unknown option(s) bmp for tempo backend 'toy'; valid options: bpm" in capsys.readouterr().err
