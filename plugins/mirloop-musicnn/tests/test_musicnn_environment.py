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
    from mirloop_musicnn.tags import DEFAULT_MODELS

    assert export_weights(venv=tmp_path / "never-created", models=DEFAULT_MODELS).is_dir()
    assert not (tmp_path / "never-created").exists()


def test_setup_exports_only_the_missing_models_and_keeps_the_others_files(own_copy: Path) -> None:
    """A folder exported before the VGG models existed gains them without touching the others: the
    reference input stays (its checksum is in the others' sidecars), and so does every other file."""
    if not is_ready():
        pytest.skip(f"no export environment at {default_venv()}; run `mirloop-musicnn setup`")
    from mirloop_musicnn.weights import MODELS, load_model

    for suffix in (".npz", ".json"):
        (own_copy / f"MSD_vgg{suffix}").unlink()
    before = {path.name: path.read_bytes() for path in own_copy.iterdir()}

    export_weights(own_copy)

    assert {path.name: path.read_bytes() for path in own_copy.iterdir() if path.name in before} == before
    exported = load_model("MSD_vgg", own_copy)
    assert exported.sidecar["tensorflow_version"].startswith("2.")
    assert exported.sidecar["reference"]["numpy_max_abs_difference"]["tags"] < 1e-4
    assert all(load_model(name, own_copy) for name in MODELS)
