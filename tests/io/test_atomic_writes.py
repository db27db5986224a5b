"""Atomic writes: readers see the old file or the whole new one, never a partial file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from mirloop.io.atomic import atomic_open, atomic_path, write_text
from mirloop.io.tables import write_parquet


class DiskFull(OSError):
    pass


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_creates_the_file_and_its_folder(tmp_path: Path) -> None:
    target = tmp_path / "new" / "notes.txt"

    write_text(target, "first")

    assert target.read_text() == "first"
    assert leftovers(target.parent) == ["notes.txt"]


def test_a_failure_midway_leaves_the_previous_file_intact(tmp_path: Path) -> None:
    target = tmp_path / "result.txt"
    write_text(target, "previous complete result")

    with pytest.raises(DiskFull), atomic_open(target) as handle:
        handle.write("half of the new res")
        raise DiskFull("no space left on device")

    assert target.read_text() == "previous complete result"
    assert leftovers(tmp_path) == ["result.txt"]


def test_a_failure_on_first_write_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "table.parquet"

    class Unwritable:
        def to_parquet(self, *args: object, **kwargs: object) -> None:
            Path(args[0]).write_bytes(b"PAR1 partial")  # the writer got halfway
            raise DiskFull("no space left on device")

    with pytest.raises(DiskFull):
        write_parquet(Unwritable(), target)  # type: ignore[arg-type]

    assert leftovers(tmp_path) == []


def test_path_writers_see_the_target_suffix(tmp_path: Path) -> None:
    with atomic_path(tmp_path / "figure.png") as temporary:
        assert temporary.parent == tmp_path and temporary.suffix == ".png"
        temporary.write_bytes(b"png")

    assert (tmp_path / "figure.png").read_bytes() == b"png"


def test_a_replaced_file_is_complete(tmp_path: Path) -> None:
    target = tmp_path / "grid.parquet"
    write_parquet(pd.DataFrame({"start": [0.0, 2.0]}), target)
    write_parquet(pd.DataFrame({"start": [0.0, 2.0, 4.0]}), target)

    assert list(pd.read_parquet(target)["start"]) == [0.0, 2.0, 4.0]
    assert leftovers(tmp_path) == ["grid.parquet"]


def test_new_files_get_the_usual_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    target = write_text(tmp_path / "plain.txt", "x")

    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_replacing_keeps_the_existing_permissions(tmp_path: Path) -> None:
    target = write_text(tmp_path / "shared.txt", "x")
    target.chmod(0o640)

    write_text(target, "y")

    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_folder_left_aside_between_the_two_renames_of_a_swap_is_put_back(tmp_path: Path) -> None:
    from mirloop.io.atomic import remove_stale_temporaries

    aside = tmp_path / ".good.0a1b2c3d.old"  # the previous outputs, moved aside; the new ones never arrived
    aside.mkdir()
    (aside / "good.jams").write_text("{}")
    os.utime(aside, (0, 0))

    assert remove_stale_temporaries(tmp_path) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good"]
    assert (tmp_path / "good" / "good.jams").read_text() == "{}"


def test_a_temporary_track_folder_becomes_the_folder_only_when_complete(tmp_path: Path) -> None:
    from mirloop.io.atomic import atomic_folder, is_temporary

    with pytest.raises(RuntimeError), atomic_folder(tmp_path / "good") as staging:
        (staging / "good.jams").write_text("{}")
        assert is_temporary(staging) and staging.parent == tmp_path
        raise RuntimeError("killed between two files")
    assert list(tmp_path.iterdir()) == []

    with atomic_folder(tmp_path / "good") as staging:
        (staging / "good.jams").write_text("{}")
    assert [p.name for p in tmp_path.iterdir()] == ["good"] and (tmp_path / "good" / "good.jams").exists()
