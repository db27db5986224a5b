"""An evaluation dataset: audio files paired with annotations of the same stem."""

from __future__ import annotations

import os
from pathlib import Path

from attrs import frozen

from mirloop.errors import DatasetError

#: Audio file suffixes looked for.
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif")
#: Annotation suffixes, in order of preference.
ANNOTATION_SUFFIXES = (".jams", ".csv")


@frozen
class DatasetItem:
    """One audio file and its annotation file."""

    audio: Path
    annotation: Path

    @property
    def name(self) -> str:
        return self.audio.name


def find_items(folder: str | os.PathLike[str]) -> list[DatasetItem]:
    """Every audio file in ``folder`` (not recursive) that has a ``.jams`` or ``.csv`` of its stem."""
    root = Path(folder)
    if not root.is_dir():
        raise DatasetError(f"dataset folder {root} does not exist or is not a folder")
    items = []
    for audio in sorted(p for p in root.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES):
        candidates = (audio.with_suffix(suffix) for suffix in ANNOTATION_SUFFIXES)
        annotation = next((path for path in candidates if path.is_file()), None)
        if annotation is not None:
            items.append(DatasetItem(audio, annotation))
    if not items:
        raise DatasetError(
            f"no annotated audio in {root}: put e.g. song.wav next to song.jams (or song.csv); "
            "see docs/backends-comparison.md for the layout"
        )
    return items
