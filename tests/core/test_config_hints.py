"""Configuration mistakes that used to give a bare error now say what happened and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirloop.cli.main import main
from mirloop.config import load_config
from mirloop.errors import BackendNotFoundError, OptionError
from mirloop.stages import STAGES
from tests.core.plugin_sources import FIXED_TEMPO_PLUGIN, InstallPlugin

ONLY_KEY = {stage: "none" for stage in STAGES if stage != "key"}


def test_a_bare_stage_key_after_a_table_gets_a_hint(tmp_path: Path, fresh_registry: None) -> None:
    (tmp_path / "mirloop.toml").write_text('[key]\nbackend = "librosa"\n\ntempo = "librosa"  # a stage?\n')
    config = load_config(cwd=tmp_path, environ={})

    with pytest.raises(OptionError) as caught:
        config.validate()

    message = str(caught.value)
    assert "unknown option(s) tempo for key backend 'librosa'" in message
    assert "'tempo' is a stage, not an option" in message
    assert "after the [key] table belongs to that table" in message


def test_an_unknown_option_that_is_no_stage_name_gets_no_hint(tmp_path: Path, fresh_registry: None) -> None:
    config = load_config({**ONLY_KEY, "key": {"backend": "librosa", "tempi": 1}}, cwd=tmp_path, environ={})

    with pytest.raises(OptionError) as caught:
        config.validate()

    assert "is a stage" not in str(caught.value)


def test_config_check_says_when_plugin_autoload_is_disabled(
    install_plugin: InstallPlugin, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    install_plugin("fixed", FIXED_TEMPO_PLUGIN)
    monkeypatch.setenv("MIRLOOP_DISABLE_PLUGIN_AUTOLOAD", "1")

    status = main(["config", "--check"])

    assert status == 0
    assert "# note: MIRLOOP_DISABLE_PLUGIN_AUTOLOAD is set: only mirloop's own plugins are loaded" \
        in capsys.readouterr().out


def test_a_third_party_backend_missing_because_autoload_is_disabled_says_so(
    install_plugin: InstallPlugin, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    install_plugin("fixed", FIXED_TEMPO_PLUGIN)
    monkeypatch.setenv("MIRLOOP_DISABLE_PLUGIN_AUTOLOAD", "1")

    status = main(["config", "--check", "--use", "tempo=fixed"])

    assert status == 2
    assert "third-party plugins are not loaded because MIRLOOP_DISABLE_PLUGIN_AUTOLOAD is set" \
        in capsys.readouterr().err


def test_config_check_without_switches_adds_no_note(
    install_plugin: InstallPlugin, capsys: pytest.CaptureFixture[str]
) -> None:
    install_plugin("fixed", FIXED_TEMPO_PLUGIN)

    assert main(["config", "--check"]) == 0
    assert "# note:" not in capsys.readouterr().out


def test_a_missing_backend_with_autoload_on_does_not_blame_the_switch(
    tmp_path: Path, install_plugin: InstallPlugin
) -> None:
    install_plugin("fixed", FIXED_TEMPO_PLUGIN)
    config = load_config({**ONLY_KEY, "key": "nope"}, cwd=tmp_path, environ={})

    with pytest.raises(BackendNotFoundError) as caught:
        config.validate()

    assert "AUTOLOAD" not in str(caught.value)
