"""The tracks of a corpus, with their ids and labels: from a folder, a list file or FMA metadata.

- A **folder**: every audio file under it (:data:`mirloop.pipelines.batch.AUDIO_SUFFIXES`); the id
  is the file's path relative to the folder.
- A **list file** (any other text file): one audio path per line, relative to the list's folder;
  blank lines and lines starting with ``#`` are skipped. The id is the path relative to the
  list's folder (the whole path for a file outside it).
- **FMA metadata**: the ``tracks.csv`` of the Free Music Archive (two header rows, then the
  ``track_id`` row) with an audio tree holding track 2 as ``000/000002.mp3``. The id is the track
  id; the labels are the track's top genre, its genre ids, and the subset and split it belongs to.
  Tracks of the table whose audio is not in the tree (e.g. the full table over ``fma_small``) are
  left out and counted.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from attrs import field, frozen

from mirloop.errors import CorpusError

#: The FMA table's name.
FMA_TRACKS = "tracks.csv"
#: FMA columns carried into the output: (top level, column) -> label name.
FMA_LABELS = {
    ("track", "genre_top"): "genre",
    ("track", "genres"): "genre_ids",
    ("set", "subset"): "subset",
    ("set", "split"): "split",
}
#: The label columns every corpus row has (empty when the source has no such label).
LABELS = tuple(FMA_LABELS.values())
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@frozen
class CorpusTrack:
    """One track: its id (unique in the corpus, safe as a file name), audio path and labels."""

    track_id: str
    path: str
    labels: dict[str, str] = field(factory=dict)


@frozen
class Corpus:
    """The tracks found, and how many listed tracks have no audio (FMA tables over a subset)."""

    tracks: tuple[CorpusTrack, ...]
    kind: str
    missing_audio: int = 0


def read_corpus(
    source: str | os.PathLike[str], *, audio_root: str | os.PathLike[str] | None = None
) -> Corpus:
    """The corpus at ``source`` (a folder, a list file or an FMA ``tracks.csv``; see the module
    docstring). ``audio_root`` is FMA's audio tree (default: the folder holding ``tracks.csv``)."""
    path = Path(source)
    if path.is_dir():
        if (path / FMA_TRACKS).is_file() and audio_root is not None:
            return read_fma(path / FMA_TRACKS, audio_root=audio_root)
        return _from_folder(path)
    if not path.is_file():
        raise CorpusError(
            f"{path}: no such folder or file; give a folder of audio, a list file or FMA's tracks.csv"
        )
    if path.name == FMA_TRACKS:
        return read_fma(path, audio_root=audio_root if audio_root is not None else path.parent)
    if audio_root is not None:
        raise CorpusError(
            f"{path}: --audio-root is for FMA's {FMA_TRACKS}; a list file names its audio itself"
        )
    return _from_list(path)


def _from_folder(folder: Path) -> Corpus:
    from mirloop.pipelines.batch import scan_inputs

    found = scan_inputs([folder]).tracks
    if not found:
        raise CorpusError(f"{folder}: the folder holds no audio files")
    return Corpus(_unique(folder, [(str(p.relative_to(folder)), p) for p in found]), "folder")


def _from_list(listing: Path) -> Corpus:
    try:
        lines = listing.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(
            f"{listing}: cannot read the list file ({exc}); give one audio path per line"
        ) from None
    entries = []
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        audio = Path(text) if Path(text).is_absolute() else listing.parent / text
        if not audio.is_file():
            raise CorpusError(f"{listing}:{number}: {text} does not exist; fix the line or remove it")
        here, full = listing.parent.resolve(), audio.resolve()
        entries.append((str(full.relative_to(here)) if full.is_relative_to(here) else text, audio))
    if not entries:
        raise CorpusError(f"{listing}: the list names no audio files (one path per line)")
    return Corpus(_unique(listing, entries), "list")


def _unique(where: Path, entries: list[tuple[str, Path]]) -> tuple[CorpusTrack, ...]:
    tracks: dict[str, CorpusTrack] = {}
    for name, audio in entries:
        track_id = _UNSAFE.sub("_", name).strip("._") or "track"
        if track_id in tracks:
            raise CorpusError(
                f"{where}: {tracks[track_id].path} and {audio} get the same id {track_id!r}; rename one"
            )
        tracks[track_id] = CorpusTrack(track_id, str(audio), {label: "" for label in LABELS})
    return tuple(tracks.values())


def fma_audio_path(root: Path, track_id: int) -> Path:
    """Where FMA keeps track ``track_id``'s audio: ``ROOT/000/000002.mp3`` for track 2."""
    name = f"{track_id:06d}"
    return root / name[:3] / f"{name}.mp3"


def read_fma(table: Path, *, audio_root: str | os.PathLike[str]) -> Corpus:
    """The tracks of FMA's ``tracks.csv`` whose audio is under ``audio_root``, with their labels."""
    import pandas as pd

    root = Path(audio_root)
    if not root.is_dir():
        raise CorpusError(f"{root}: the FMA audio folder does not exist; give --audio-root (e.g. fma_small/)")
    try:
        frame = pd.read_csv(table, index_col=0, header=[0, 1], low_memory=False)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise CorpusError(f"{table}: not FMA's tracks.csv ({exc})") from None
    missing = [f"{top}.{column}" for top, column in FMA_LABELS if (top, column) not in frame.columns]
    if missing:
        raise CorpusError(
            f"{table}: not FMA's tracks.csv: no column {', '.join(missing)} under the two header rows"
        )
    tracks = []
    absent = 0
    for track_id, row in frame.iterrows():
        try:
            number = int(str(track_id))
        except ValueError:
            raise CorpusError(
                f"{table}: track id {track_id!r} is not a number (is this FMA's tracks.csv?)"
            ) from None
        audio = fma_audio_path(root, number)
        if not audio.is_file():
            absent += 1
            continue
        labels = {name: _text(row[key]) for key, name in FMA_LABELS.items()}
        tracks.append(CorpusTrack(f"{number:06d}", str(audio), labels))
    if not tracks:
        raise CorpusError(
            f"{root}: none of the {absent} tracks of {table} has its audio here "
            f"(track 2 is expected at {fma_audio_path(root, 2)})"
        )
    return Corpus(tuple(tracks), "fma", absent)


def _text(value: object) -> str:
    """A table cell as text ('' for a missing value)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)
