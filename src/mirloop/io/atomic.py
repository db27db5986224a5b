"""Atomic file writes: a temporary file in the target's folder, then ``os.replace``.

A reader sees either the previous file or the complete new one, never a partial file; if
writing fails the temporary file is removed and the previous file is left untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

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
        raise ValueError(f"atomic_open writes whole files; mode must be 'w' or 'wb', got {mode!r}")
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


def _fsync(path: Path) -> None:
    with contextlib.suppress(OSError), path.open("rb") as handle:
        os.fsync(handle.fileno())
