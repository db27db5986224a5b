"""Every stage's output for one track on the common 2-s analysis grid."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from mirloop.types import Analysis
from mirloop.types.descriptor import TARGETS

if TYPE_CHECKING:
    import pandas as pd

#: The joint genre/subgenre/mood target of a hierarchical model, when present.
DESCRIPTOR = "descriptor"


def merged_grid(analysis: Analysis) -> pd.DataFrame:
    """One row per grid window: ``window``, ``start``, ``end`` (s), ``tempo_bpm``, ``key``,
    ``segment`` (index) and ``segment_label`` of the form segment holding the window's centre,
    and per classifier target ``<target>`` (label, ``unknown`` below the model's threshold) and
    ``<target>_probability``. Columns appear only for the stages that ran.
    """
    import pandas as pd

    grid = analysis.grid
    columns: dict[str, Any] = {
        "window": np.arange(grid.n_windows, dtype=np.int64),
        "start": grid.starts,
        "end": grid.ends,
    }
    if analysis.tempo is not None:
        columns["tempo_bpm"] = np.asarray(analysis.tempo.window_bpm, dtype=np.float64)
    if analysis.key is not None:
        columns["key"] = [str(key) for key in analysis.key.window_keys]
    if analysis.segmentation is not None:
        segments = analysis.segmentation.segments
        index = [_segment_at(analysis, t) for t in grid.centers]
        columns["segment"] = np.asarray(index, dtype=np.int64)
        columns["segment_label"] = [segments[i].label for i in index]
    if analysis.prediction is not None:
        for target in (*TARGETS, DESCRIPTOR):
            if target not in analysis.prediction.targets:
                continue
            pred = analysis.prediction.targets[target]
            top = np.argmax(pred.probabilities, axis=1)
            columns[target] = pred.labels
            columns[f"{target}_probability"] = pred.probabilities[np.arange(len(top)), top].astype(np.float64)
    return pd.DataFrame(columns)


def _segment_at(analysis: Analysis, time: float) -> int:
    assert analysis.segmentation is not None
    segments = analysis.segmentation.segments
    for index, segment in enumerate(segments):
        if time < segment.end:
            return index
    return len(segments) - 1
