"""One corpus track on a worker: analysed, then its JAMS and its Parquet row written to the store.

The row is written last and names the track (``tracks/genre=<genre>/<id>.parquet``), so it marks
the track done: a task that runs again — after its worker died, or in a rerun — rewrites the same
two files and leaves one result.
"""

from __future__ import annotations

import time
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mirloop.config import Config
from mirloop.corpus.sources import LABELS, CorpusTrack
from mirloop.corpus.storage import Store
from mirloop.errors import MirloopError

#: The partition folder of tracks without a genre (what Hive and pyarrow read as null).
NO_GENRE = "__HIVE_DEFAULT_PARTITION__"
#: The folder of the partitioned Parquet dataset, and of the JAMS files, in the output.
TABLE_DIR = "tracks"
JAMS_DIR = "jams"
#: Prefix of the columns holding each feature's mean over the track's windows.
MEAN_PREFIX = "mean_"


def row_name(track: CorpusTrack) -> str:
    """Where the track's row goes: its genre's partition, named by its id."""
    genre = track.labels.get("genre") or NO_GENRE
    return f"{TABLE_DIR}/genre={quote(genre, safe='')}/{track.track_id}.parquet"


def jams_name(track_id: str) -> str:
    return f"{JAMS_DIR}/{track_id}.jams"


def analyze_corpus_track(track: CorpusTrack, output: str, config: Config) -> dict[str, Any]:
    """Analyse ``track`` and write its JAMS and row under ``output``; returns ``{"track_id", "ok",
    "error", "seconds", "duration"}`` — a failure is reported, never raised. The stage backends
    are made once per worker process (:func:`mirloop.executors.state.cached_backend`)."""
    from mirloop.executors.state import cached_backend
    from mirloop.io.jams_io import write_jams
    from mirloop.pipelines.analyze import analyze_file

    started = time.perf_counter()
    store = Store(output)
    try:
        analysis = analyze_file(track.path, config=config, create=cached_backend).analysis
        store.write(jams_name(track.track_id), lambda path: write_jams(analysis, path, title=track.track_id))
        table = _row(track, analysis, time.perf_counter() - started)
        store.write(row_name(track), lambda path: _write_parquet(table, path))
    except MirloopError as exc:
        return _failed(track, str(exc), started)
    except Exception as exc:  # a backend bug or a broken file costs this track only
        where = traceback.extract_tb(exc.__traceback__)[-1]
        message = f"unexpected {type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno})"
        return _failed(track, message, started)
    return {
        "track_id": track.track_id,
        "ok": True,
        "error": None,
        "seconds": time.perf_counter() - started,
        "duration": float(analysis.duration),
    }


def _failed(track: CorpusTrack, error: str, started: float) -> dict[str, Any]:
    message = error if error.startswith(track.path) else f"{track.path}: {error}"
    return {"track_id": track.track_id, "ok": False, "error": message,
            "seconds": time.perf_counter() - started, "duration": None}


def _row(track: CorpusTrack, analysis: Any, seconds: float) -> Any:
    """The track's one-row table: id, source, labels (genre is the partition), analysis summary
    and the mean of every feature over the windows."""
    import numpy as np
    import pyarrow as pa

    columns: dict[str, Any] = {
        "track_id": pa.array([track.track_id], pa.string()),
        "source": pa.array([track.path], pa.string()),
        **{
            label: pa.array([track.labels.get(label, "")], pa.string())
            for label in LABELS
            if label != "genre"  # the partition
        },
        "duration": pa.array([float(analysis.duration)], pa.float64()),
        "tempo_bpm": pa.array([None if analysis.tempo is None else float(analysis.tempo.bpm)], pa.float64()),
        "key": pa.array([None if analysis.key is None else str(analysis.key.key)], pa.string()),
        "n_segments": pa.array(
            [None if analysis.segmentation is None else len(analysis.segmentation.segments)], pa.int64()
        ),
        "flags": pa.array([",".join(analysis.flags)], pa.string()),
        "seconds": pa.array([float(seconds)], pa.float64()),
    }
    if analysis.features is not None:
        means = np.nanmean(np.asarray(analysis.features.values, dtype=np.float64), axis=0)
        for name, value in zip(analysis.features.names, means):
            columns[f"{MEAN_PREFIX}{name}"] = pa.array([float(value)], pa.float32())
    return pa.table(columns)


def _write_parquet(table: Any, path: Path) -> None:
    import pyarrow.parquet as pq

    pq.write_table(table, path)
