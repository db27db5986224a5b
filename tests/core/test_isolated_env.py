"""A plugin's own virtualenv (``mirloop.plugins_support.isolated_env``): where it is, whether it is
ready, and what creating it says when a step fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mirloop.errors import PluginError
from mirloop.plugins_support.isolated_env import IsolatedEnv


def _env(tmp_path: Path, probe: str = "import json", probe_env: dict[str, str] | None = None) -> IsolatedEnv:
    return IsolatedEnv(
        variable="MIRLOOP_TOOL_VENV",
        default=lambda: tmp_path / "cache" / "tool-venv",
        probe=probe,
        needs="json",
        probe_env=probe_env or {},
    )


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real virtualenv (without pip, so it takes a second)."""
    folder = tmp_path_factory.mktemp("isolated") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    return folder


def test_the_variable_names_the_folder_else_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = _env(tmp_path)
    monkeypatch.delenv("MIRLOOP_TOOL_VENV", raising=False)
    assert env.default_venv() == tmp_path / "cache" / "tool-venv"
    assert env.venv_python() == tmp_path / "cache" / "tool-venv" / "bin" / "python"

    monkeypatch.setenv("MIRLOOP_TOOL_VENV", f"  {tmp_path / 'elsewhere'}  ")
    assert env.default_venv() == tmp_path / "elsewhere"
    assert env.folder("~/given") == Path.home() / "given"


def test_a_missing_environment_is_not_ready(tmp_path: Path) -> None:
    assert not _env(tmp_path).is_ready(tmp_path / "absent")


def test_ready_means_the_probe_runs_in_the_environments_interpreter(venv: Path, tmp_path: Path) -> None:
    assert _env(tmp_path, "import json").is_ready(venv)
    assert not _env(tmp_path, "import mirloop_no_such_module").is_ready(venv)
    # the venv's own interpreter runs the probe: its prefix is the venv, not this environment
    assert _env(tmp_path, f"import sys; sys.exit(sys.prefix != {str(venv)!r})").is_ready(venv)


def test_the_probe_sees_its_extra_environment_variables(venv: Path, tmp_path: Path) -> None:
    probe = "import os, sys; sys.exit(os.environ.get('TOOL_QUIET') != '3')"
    assert _env(tmp_path, probe, probe_env={"TOOL_QUIET": "3"}).is_ready(venv)
    assert not _env(tmp_path, probe).is_ready(venv)


def test_creating_a_ready_environment_returns_its_interpreter_at_once(venv: Path, tmp_path: Path) -> None:
    assert (
        _env(tmp_path).create(venv, installs=[(["no-such-package"], "install it")]) == venv / "bin" / "python"
    )


def test_a_failed_step_is_named_with_its_command(tmp_path: Path) -> None:
    failed = r"could not create the virtualenv: `false -m venv .*` exited with status 1"
    with pytest.raises(PluginError, match=failed):
        _env(tmp_path).create(tmp_path / "new", installs=[], python="false")
