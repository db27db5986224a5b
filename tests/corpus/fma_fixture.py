"""A tiny corpus in the Free Music Archive's layout, made from generated audio.

``tracks.csv`` has FMA's shape: two header rows (the column's group, then its name), a third row
holding only ``track_id``, then one row per track; the audio tree keeps track 2 as
``000/000002.mp3``. One listed track has no audio, as the full table over ``fma_small`` does.
"""

from __future__ import annotations

import csv
from pathlib import Path

from tests.pipelines.audio_files import pulse_track, write

#: (track id, top genre, genre ids, subset, split, beats per minute) of the tracks with audio.
TRACKS = (
    (2, "Hip-Hop", "[21]", "small", "training", 96.0),
    (5, "Hip-Hop", "[21]", "small", "training", 100.0),
    (140, "Folk", "[17]", "small", "validation", 120.0),
    (1482, "Old-Time / Historic", "[8]", "medium", "test", 140.0),
    (12345, "", "[]", "large", "training", 110.0),
)
#: A track of the table whose audio the tree does not hold.
MISSING_TRACK = 3
COLUMNS = (
    ("album", "title"),
    ("artist", "name"),
    ("set", "split"),
    ("set", "subset"),
    ("track", "genre_top"),
    ("track", "genres"),
    ("track", "title"),
)


def make_fma(root: Path, *, seconds: float = 3.0, tracks: tuple[tuple, ...] = TRACKS) -> tuple[Path, Path]:
    """Write ``root/fma_metadata/tracks.csv`` and ``root/fma_small/``; returns both paths."""
    table = root / "fma_metadata" / "tracks.csv"
    audio = root / "fma_small"
    table.parent.mkdir(parents=True)
    rows = [*tracks, (MISSING_TRACK, "Pop", "[10]", "small", "training", 0.0)]
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["", *(group for group, _ in COLUMNS)])
        writer.writerow(["", *(name for _, name in COLUMNS)])
        writer.writerow(["track_id", *([""] * len(COLUMNS))])
        for track_id, genre, genres, subset, split, _ in sorted(rows):
            writer.writerow([track_id, f"album {track_id}", "an artist", split, subset, genre, genres,
                             f"title {track_id}"])
    for track_id, *_, bpm in tracks:
        name = f"{track_id:06d}"
        (audio / name[:3]).mkdir(parents=True, exist_ok=True)
        write(audio / name[:3] / f"{name}.mp3", pulse_track(seconds, bpm=bpm), 22050, format="MP3")
    return table, audio
