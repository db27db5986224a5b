"""Without its environment the separator says how to create it; with it, setup does nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from mirloop.errors import PluginError
from mirloop.types import Audio

from mirloop_spleeter import SpleeterSeparator
from mirloop_spleeter.environment import default_venv, is_ready, setup


def test_a_missing_environment_names_the_setup_command(tmp_path: Path) -> None:
    model = tmp_path / "2stems"
    model.mkdir()
    (model / "checkpoint").write_text('model_checkpoint_path: "model"\n')
    (model / "model.index").write_bytes(b"\x01")
    (model / "model.data-00000-of-00001").write_bytes(b"\x01")
    separator = SpleeterSeparator(model_path=str(model), venv=str(tmp_path / "absent"))
    with pytest.raises(PluginError, match=r"mirloop-spleeter setup --venv .*absent"):
        separator.separate(Audio([0.0] * 100, 22050))


def test_the_environment_variable_moves_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIRLOOP_SPLEETER_VENV", str(tmp_path / "env"))
    assert default_venv() == tmp_path / "env"
    assert not is_ready()


@pytest.mark.skipif(not is_ready(), reason="no spleeter environment; run `mirloop-spleeter setup`")
def test_setup_of_a_ready_environment_returns_at_once() -> None:
    assert setup() == default_venv() / "bin" / "python"
