"""Where a corpus run writes: a folder (shared by the workers) or an fsspec URL (``s3://…``,
``gs://…``, ``memory://…``) when fsspec is installed. Every file appears whole or not at all."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mirloop.errors import CorpusError


def is_url(location: str) -> bool:
    """Whether ``location`` is an fsspec URL rather than a local folder."""
    return "://" in location and not location.startswith("file://")


class Store:
    """Files under ``location``, named by ``/``-separated paths relative to it."""

    def __init__(self, location: str | os.PathLike[str]) -> None:
        self.location = str(location)
        self.fs: Any = None
        if is_url(self.location):
            try:
                import fsspec
            except ImportError:
                raise CorpusError(
                    f"{self.location}: writing to a URL needs fsspec (pip install fsspec and the "
                    "package of its protocol, e.g. s3fs); or give a folder every worker sees"
                ) from None
            self.fs, self.root = fsspec.core.url_to_fs(self.location)
            self.root = self.root.rstrip("/")
        else:
            self.root = self.location.removeprefix("file://")

    def path(self, name: str) -> str:
        """The full path of ``name`` (for messages and local readers)."""
        return f"{self.root}/{name}" if self.fs is not None else str(Path(self.root) / name)

    def exists(self, name: str) -> bool:
        if self.fs is not None:
            return bool(self.fs.exists(self.path(name)))
        return Path(self.path(name)).exists()

    def write(self, name: str, writer: Callable[[Path], object]) -> None:
        """``writer(path)`` writes a local file that becomes ``name`` atomically (a temporary
        name renamed into place, so a task killed half-way leaves nothing under ``name``)."""
        if self.fs is None:
            from mirloop.io.atomic import atomic_path

            with atomic_path(self.path(name)) as temporary:
                writer(temporary)
            return
        with tempfile.TemporaryDirectory(prefix="mirloop-") as folder:
            local = Path(folder) / Path(name).name
            writer(local)
            final = self.path(name)
            partial = f"{final}.tmp-{uuid.uuid4().hex[:8]}"
            self.fs.makedirs(final.rsplit("/", 1)[0], exist_ok=True)
            self.fs.put_file(str(local), partial)
            self.fs.mv(partial, final)

    def write_text(self, name: str, text: str) -> None:
        self.write(name, lambda path: path.write_text(text, encoding="utf-8"))

    def glob(self, pattern: str) -> list[str]:
        """The names matching ``pattern`` (relative to the store, ``/``-separated), temporaries excluded."""
        if self.fs is not None:
            found = [str(p)[len(self.root) + 1 :] for p in self.fs.glob(self.path(pattern))]
        else:
            found = [p.relative_to(self.root).as_posix() for p in Path(self.root).glob(pattern)]
        return sorted(name for name in found if ".tmp" not in Path(name).name)

    def remove_temporaries(self) -> int:
        """Delete the temporaries that tasks killed mid-write left (call when no task is writing)."""
        if self.fs is None:
            from mirloop.io.atomic import remove_stale_temporaries

            return remove_stale_temporaries(self.root, depth=3)
        partial = [p for p in self.fs.glob(f"{self.root}/**") if ".tmp-" in str(p).rsplit("/", 1)[-1]]
        for path in partial:
            self.fs.rm_file(path)
        return len(partial)

    def read_bytes(self, name: str) -> bytes:
        if self.fs is not None:
            return bytes(self.fs.cat_file(self.path(name)))
        return Path(self.path(name)).read_bytes()
