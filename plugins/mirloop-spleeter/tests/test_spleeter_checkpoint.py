"""A model folder without complete weights is refused before spleeter can use random weights."""

from __future__ import annotations

from pathlib import Path

import pytest
from mirloop.errors import ModelError
from mirloop.types import Audio

from mirloop_spleeter import SpleeterSeparator, check_model_dir


def complete_model(folder: Path, prefix: str = "model", shards: int = 1) -> Path:
    """A folder laid out like spleeter's published 2stems model (contents are placeholders)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "checkpoint").write_text(
        f'model_checkpoint_path: "{prefix}"\nall_model_checkpoint_paths: "{prefix}"\n'
    )
    (folder / f"{prefix}.index").write_bytes(b"\x01" * 64)
    (folder / f"{prefix}.meta").write_bytes(b"\x01" * 64)
    for shard in range(shards):
        (folder / f"{prefix}.data-{shard:05d}-of-{shards:05d}").write_bytes(b"\x01" * 64)
    return folder


def test_a_complete_folder_passes_and_names_its_checkpoint(tmp_path: Path) -> None:
    folder = complete_model(tmp_path / "2stems")
    assert check_model_dir(folder) == folder / "model"


def test_a_missing_folder_is_refused_with_the_download_address(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"does not exist.*github.com/deezer/spleeter/releases.*2stems"):
        check_model_dir(tmp_path / "2stems")


def test_an_empty_folder_is_refused_because_spleeter_would_use_random_weights(tmp_path: Path) -> None:
    (tmp_path / "2stems").mkdir()
    with pytest.raises(ModelError, match=r"no 'checkpoint' file.*random weights"):
        check_model_dir(tmp_path / "2stems")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda f: (f / "model.index").unlink(), "model.index is missing"),
        (lambda f: (f / "model.index").write_bytes(b""), "model.index is empty"),
        (lambda f: (f / "model.data-00000-of-00002").unlink(), "1 of 2 model.data-"),
        (lambda f: (f / "model.data-00001-of-00002").write_bytes(b""), "model.data-00001-of-00002 is empty"),
        (lambda f: (f / "checkpoint").write_bytes(b""), "no 'checkpoint' file"),
        (lambda f: (f / "checkpoint").write_text("nothing useful\n"), "names no model_checkpoint_path"),
    ],
)
def test_a_partial_checkpoint_is_refused_and_says_what_is_wrong(tmp_path: Path, damage, message: str) -> None:
    folder = complete_model(tmp_path / "2stems", shards=2)
    damage(folder)
    with pytest.raises(ModelError, match=message):
        check_model_dir(folder)


def test_the_separator_refuses_before_starting_any_worker(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    separator = SpleeterSeparator(model_path=str(tmp_path / "empty"), venv=str(tmp_path / "no-venv"))
    with pytest.raises(ModelError, match="random weights"):
        separator.separate(Audio([0.0] * 1000, 22050))


def test_model_path_wins_then_MODEL_PATH_then_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODEL_PATH", str(tmp_path / "models"))
    assert SpleeterSeparator(stems=4).model_dir == (tmp_path / "models" / "4stems").resolve()
    assert SpleeterSeparator(model_path=str(tmp_path / "mine")).model_dir == (tmp_path / "mine").resolve()
    monkeypatch.delenv("MODEL_PATH")
    assert SpleeterSeparator().model_dir.parts[-3:] == ("mirloop", "spleeter-models", "2stems")


def test_the_entry_point_registers_the_separator() -> None:
    from mirloop.plugins import build_registry

    info = build_registry().get("separator", "spleeter")
    assert info.cls is SpleeterSeparator
    assert info.dist == "mirloop-spleeter"
