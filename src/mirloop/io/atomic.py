"""Atomic writes: a temporary file (or folder) beside the target, then a rename into place.

A reader sees either the previous file or the complete new one, never a partial file; if
writing fails the temporary file is removed and the previous file is left untouched.
:func:`atomic_folder` does the same for a folder of files (one track's outputs): they appear
together or not at all.

Every temporary mirloop writes is named ``.<target>.<8 random characters>.tmp[<suffix>]``
(:data:`TEMPORARY_NAME`). A killed process leaves them behind; :func:`remove_stale_temporaries`
deletes those older than the current run, and :func:`is_temporary` keeps them from being
taken for input.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import IO

from mirloop.errors import InvalidValueError

#: The name of every temporary file or folder mirloop writes: ``.<target>.<random>.tmp[<suffix>]``
#: (``tempfile``'s 8 random characters); a folder being swapped out ends in ``.old`` instead.
TEMPORARY_NAME = re.compile(r"^\.(?P<target>.+)\.[a-z0-9_]{8}\.(?:tmp(?:\.[^.]+)*|old)$")

# The process umask, read once: temporary files are created private (0600) and get the mode a
# plain ``open()`` would have given them just before they replace the target.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success it replaces ``target``.

    For writers that want a file name (``DataFrame.to_parquet``, ``Figure.savefig``…). The
    temporary name keeps ``target``'s suffix so writers that look at it pick the right format.
    """
    final = Path(target)
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=f".tmp{final.suffix}", dir=final.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        _fsync(temporary)
        os.chmod(temporary, final.stat().st_mode & 0o7777 if final.exists() else 0o666 & ~_UMASK)
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_open(
    target: str | os.PathLike[str], mode: str = "w", encoding: str | None = "utf-8"
) -> Iterator[IO]:
    """Open a temporary file for writing (``"w"`` or ``"wb"``) that replaces ``target`` on success."""
    if mode not in ("w", "wb"):
        raise InvalidValueError(f"atomic_open writes whole files; mode must be 'w' or 'wb', got {mode!r}")
    with atomic_path(target) as temporary:
        if "b" in mode:
            with temporary.open(mode) as binary:
                yield binary
        else:
            with temporary.open(mode, encoding=encoding, newline="") as text:
                yield text


def write_text(target: str | os.PathLike[str], text: str) -> Path:
    """Atomically write ``text`` (UTF-8) to ``target``."""
    with atomic_open(target, "w") as handle:
        handle.write(text)
    return Path(target)


def is_temporary(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is named like a temporary file or folder of mirloop's (:data:`TEMPORARY_NAME`)."""
    return TEMPORARY_NAME.match(Path(path).name) is not None


@contextlib.contextmanager
def atomic_folder(
    target: str | os.PathLike[str], *, owned: Iterable[str] = (), commit: bool = True
) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``target``; on success it becomes ``target``
    (with ``commit=False`` it is left complete for the caller to pass to :func:`commit_folder`,
    e.g. a worker process whose parent decides which results count).

    The files written into it appear under ``target`` together: by one rename when ``target``
    is new, otherwise by two (the old folder aside, the new one in) with nothing written in
    between. Entries of the old folder that the new one lacks are kept (hard-linked, or copied
    where links are not possible) unless their name is in ``owned``, the names the caller writes
    (so a file the user put there survives and an output no longer written does not). On
    failure the temporary folder is removed and ``target`` is untouched.
    """
    final = Path(target)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
    os.chmod(staging, 0o777 & ~_UMASK)
    try:
        yield staging
        if commit:
            commit_folder(staging, final, owned=owned)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def commit_folder(staging: Path, final: Path, *, owned: Iterable[str] = ()) -> None:
    """Make the complete temporary folder ``staging`` the folder ``final`` (see :func:`atomic_folder`)."""
    owned = set(owned)
    if not final.is_dir():
        os.replace(staging, final)
        return
    written = {entry.name for entry in staging.iterdir()}
    for entry in final.iterdir():
        if entry.name in written or entry.name in owned or is_temporary(entry):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, staging / entry.name, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(entry, staging / entry.name)
    aside = final.parent / f".{final.name}.{secrets.token_hex(4)}.old"
    os.replace(final, aside)
    os.replace(staging, final)
    shutil.rmtree(aside, ignore_errors=True)


def _link_or_copy(source: str | os.PathLike[str], destination: str | os.PathLike[str]) -> None:
    try:
        os.link(source, destination, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, destination, follow_symlinks=False)


def remove_stale_temporaries(
    folder: str | os.PathLike[str],
    *,
    before: float | None = None,
    depth: int = 2,
    targets: Collection[str] | None = None,
) -> int:
    """Delete mirloop's temporaries (:data:`TEMPORARY_NAME`) under ``folder``, ``depth`` levels down,
    last modified before ``before`` (a ``time.time()``; default now); returns how many. With
    ``targets``, only the temporaries of those names directly in ``folder`` (e.g. the track
    folders of a run whose workers were stopped).

    A temporary folder left between the two renames of :func:`atomic_folder` (``.<name>.<random>.old``
    while ``<name>`` is missing) is renamed back instead: it holds the previous complete outputs.
    Names that do not match the pattern are never touched.
    """
    cutoff = time.time() if before is None else before
    removed = 0
    root = Path(folder)
    if not root.is_dir():
        return 0
    for entry in sorted(root.iterdir()):
        match = TEMPORARY_NAME.match(entry.name)
        if targets is not None:
            if match is None or match["target"] not in targets:
                continue
        elif match is None:
            if depth > 1 and entry.is_dir() and not entry.is_symlink():
                removed += remove_stale_temporaries(entry, before=cutoff, depth=depth - 1)
            continue
        try:
            if entry.lstat().st_mtime >= cutoff:
                continue  # another run's, still being written
        except FileNotFoundError:
            continue
        original = root / match["target"]
        if entry.name.endswith(".old") and entry.is_dir() and not original.exists():
            os.replace(entry, original)
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed += 1
    return removed


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError), path.open("rb") as handle:
        os.fsync(handle.fileno())
