"""Analysis tables: one row per 2-s grid window, and one row per form segment.

Columns appear only for the stages that ran. Grid table: ``window``, ``start``, ``end``
(seconds), the feature columns, ``tempo_bpm``, ``key``, ``key_confidence``, ``segment`` (the
label of the segment holding the window's centre) and, per classifier target, ``<target>``
(label) and ``<target>_probability``. Segment table: ``start``, ``end``, ``duration``
(seconds), ``label``, ``tempo_bpm`` and ``key`` (the most common among the segment's windows).

The loop builds its own per-window table (:func:`mirloop.loop.merge.merged_grid`), where
``segment`` is the segment's index and ``segment_label`` its label; the two builders are to become
one when the loop's code is gathered in :mod:`mirloop.loop`.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mirloop.io.atomic import atomic_path
from mirloop.types import Analysis, Segment

if TYPE_CHECKING:
    import pandas as pd


def grid_table(analysis: Analysis) -> pd.DataFrame:
    """One row per analysis window of ``analysis.grid``."""
    import pandas as pd

    grid = analysis.grid
    columns: dict[str, Any] = {
        "window": np.arange(grid.n_windows, dtype=np.int64),
        "start": grid.starts,
        "end": grid.ends,
    }
    if analysis.features is not None:
        for index, name in enumerate(analysis.features.names):
            columns[name] = analysis.features.values[:, index].astype(np.float64)
    if analysis.tempo is not None:
        columns["tempo_bpm"] = analysis.tempo.window_bpm
    if analysis.key is not None:
        columns["key"] = [str(key) for key in analysis.key.window_keys]
        columns["key_confidence"] = analysis.key.window_confidence
    if analysis.segmentation is not None:
        segments = analysis.segmentation.segments
        columns["segment"] = [segments[_segment_at(segments, t)].label for t in grid.centers]
    if analysis.prediction is not None:
        for target, pred in analysis.prediction.targets.items():
            top = np.argmax(pred.probabilities, axis=1)
            columns[target] = pred.labels
            columns[f"{target}_probability"] = pred.probabilities[np.arange(len(top)), top].astype(np.float64)
    return pd.DataFrame(columns)


def segment_table(analysis: Analysis) -> pd.DataFrame:
    """One row per form segment (empty, with the columns, when no segmenter ran)."""
    import pandas as pd

    segments = analysis.segmentation.segments if analysis.segmentation is not None else ()
    rows: list[dict[str, Any]] = []
    for segment in segments:
        row: dict[str, Any] = {
            "start": segment.start,
            "end": segment.end,
            "duration": segment.duration,
            "label": segment.label,
        }
        windows = windows_in_segment(analysis, segment)
        if analysis.tempo is not None:
            row["tempo_bpm"] = _most_common([round(float(analysis.tempo.window_bpm[i]), 1) for i in windows])
        if analysis.key is not None:
            row["key"] = _most_common([str(analysis.key.window_keys[i]) for i in windows])
        rows.append(row)
    columns = ["start", "end", "duration", "label"]
    columns += ["tempo_bpm"] if analysis.tempo is not None else []
    columns += ["key"] if analysis.key is not None else []
    return pd.DataFrame(rows, columns=columns)


def windows_in_segment(analysis: Analysis, segment: Segment) -> list[int]:
    """Windows whose centre lies in ``segment``; else the one closest to its middle."""
    centers = analysis.grid.centers
    inside = np.flatnonzero((centers >= segment.start) & (centers < segment.end))
    if len(inside):
        return [int(i) for i in inside]
    middle = (segment.start + segment.end) / 2
    return [int(np.argmin(np.abs(centers - middle)))]


def write_parquet(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Atomically write ``table`` as Parquet (pyarrow)."""
    with atomic_path(path) as temporary:
        table.to_parquet(temporary, index=False, engine="pyarrow")
    return Path(path)


def write_csv(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Atomically write ``table`` as CSV (UTF-8, no index)."""
    with atomic_path(path) as temporary:
        table.to_csv(temporary, index=False)
    return Path(path)


def _segment_at(segments: Sequence[Segment], time: float) -> int:
    for index, segment in enumerate(segments):
        if time < segment.end:
            return index
    return len(segments) - 1


def _most_common(values: list[Any]) -> Any:
    """The most frequent value; ties go to the value seen first."""
    return Counter(values).most_common(1)[0][0]
