"""Where a dataset keeps its files, and how a finished render is recognised.

::

    DATA/
      dataset.json                  settings, catalog version, feature backend (see table.py)
      manifest.parquet              one row per render (written when every render is done)
      features.parquet              one row per window of every render (idem)
      renders/<id>.ogg|.flac        compressed audio
      renders/<id>.timeline.json    the Amper-style timeline it was rendered from
      renders/<id>.jams             ground truth: tempo, key, region segments, descriptor tag
      parts/<id>.parquet            the render's window features
      parts/<id>.json               the render's manifest row — written last: the commit marker

Every file is written atomically (temporary file + rename), so a killed run leaves either a
complete file or none. A render counts as done only when its ``parts/<id>.json`` exists, names
the same job, and every file it lists is present with the recorded size and row count;
anything else is redone.
"""

from __future__ import annotations

import os
from pathlib import Path

from mirloop.dataset.manifest import ManifestRow, read_part
from mirloop.dataset.plan import RenderJob

RENDERS = "renders"
PARTS = "parts"
MANIFEST_PARQUET = "manifest.parquet"


class DatasetLayout:
    """Paths inside one dataset folder."""

    def __init__(self, root: str | os.PathLike[str], audio_format: str = "ogg") -> None:
        self.root = Path(root)
        self.audio_format = audio_format

    def audio(self, render_id: str) -> Path:
        return self.root / RENDERS / f"{render_id}.{self.audio_format}"

    def timeline(self, render_id: str) -> Path:
        return self.root / RENDERS / f"{render_id}.timeline.json"

    def jams(self, render_id: str) -> Path:
        return self.root / RENDERS / f"{render_id}.jams"

    def features(self, render_id: str) -> Path:
        return self.root / PARTS / f"{render_id}.parquet"

    def row(self, render_id: str) -> Path:
        return self.root / PARTS / f"{render_id}.json"

    @property
    def manifest(self) -> Path:
        return self.root / MANIFEST_PARQUET

    def make_folders(self) -> None:
        for name in (RENDERS, PARTS):
            (self.root / name).mkdir(parents=True, exist_ok=True)

    def remove_stale_temporaries(self) -> int:
        """Delete temporary files a killed run left behind (``.<name>.<random>.tmp<suffix>``)."""
        removed = 0
        for folder in (self.root, self.root / RENDERS, self.root / PARTS):
            if not folder.is_dir():
                continue
            for path in folder.iterdir():
                if path.name.startswith(".") and ".tmp" in path.name and path.is_file():
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed

    def finished_row(self, job: RenderJob) -> ManifestRow | None:
        """The manifest row of a complete render of ``job``, or ``None`` if it must be (re)done."""
        row = read_part(self.row(job.render_id))
        if row is None or row.job != job.to_dict():
            return None
        files = {
            "audio": self.audio(job.render_id),
            "timeline": self.timeline(job.render_id),
            "jams": self.jams(job.render_id),
            "features": self.features(job.render_id),
        }
        sizes = row.file_sizes
        for key, path in files.items():
            try:
                if path.stat().st_size != sizes.get(key) or sizes.get(key, 0) <= 0:
                    return None
            except OSError:
                return None
        if _parquet_rows(files["features"]) != row.n_windows:
            return None
        return row


def _parquet_rows(path: Path) -> int | None:
    import pyarrow.parquet as pq

    try:
        return int(pq.read_metadata(path).num_rows)
    except Exception:  # a damaged footer reads as "not done"
        return None
