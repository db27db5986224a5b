"""The export environment lives in the cache; without it, setup says what it installs."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirloop_musicnn.environment import default_venv, is_ready
from mirloop_musicnn.export import export_weights


def test_the_environment_variable_moves_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIRLOOP_MUSICNN_VENV", str(tmp_path / "env"))

    assert default_venv() == tmp_path / "env"
    assert not is_ready()


def test_the_cache_folder_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MIRLOOP_MUSICNN_VENV", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))

    assert default_venv() == tmp_path / "mirloop" / "musicnn-venv"


@pytest.mark.usefixtures("exported")
def test_setup_with_valid_weights_needs_no_environment(tmp_path: Path) -> None:
    assert export_weights(venv=tmp_path / "never-created").is_dir()
    assert not (tmp_path / "never-created").exists()
