"""Window predictions summarised per track and per form segment.

Window ``i`` of the grid owns the hop cell ``[starts[i], starts[i] + hop)`` (the last window
owns everything to the end of the track), so every instant belongs to exactly one window. A
segment's probabilities are the mean of its windows' probabilities weighted by how many
seconds of the segment each window owns.
"""

from __future__ import annotations

import numpy as np
from attrs import frozen

from mirloop.types.estimates import Segment, Segmentation
from mirloop.types.grid import Grid
from mirloop.types.prediction import UNKNOWN, Prediction


@frozen(eq=False)
class SegmentPrediction:
    """Mean probabilities per target over one segment, with the resulting labels."""

    segment: Segment
    probabilities: dict[str, np.ndarray]
    labels: dict[str, str]


def ownership_weights(grid: Grid, start: float, end: float) -> np.ndarray:
    """Seconds of ``[start, end)`` owned by each window of ``grid``."""
    cell_starts = grid.starts
    cell_ends = np.append(cell_starts[1:], max(grid.duration, cell_starts[-1] + grid.hop))
    return np.clip(np.minimum(cell_ends, end) - np.maximum(cell_starts, start), 0.0, None)


def _label(classes: tuple[str, ...], probabilities: np.ndarray, threshold: float) -> str:
    top = int(np.argmax(probabilities))
    return classes[top] if probabilities[top] >= threshold else UNKNOWN


def track_labels(prediction: Prediction) -> dict[str, str]:
    """The label of every target from the mean of its window probabilities."""
    return {target: pred.track_label for target, pred in prediction.targets.items()}


def segment_predictions(
    prediction: Prediction, segmentation: Segmentation, grid: Grid
) -> list[SegmentPrediction]:
    """Per-segment probabilities and labels for every target of ``prediction``."""
    results = []
    for segment in segmentation.segments:
        weights = ownership_weights(grid, segment.start, segment.end)
        if weights.sum() <= 0:  # a segment outside the grid: the nearest window speaks for it
            weights = np.zeros(grid.n_windows)
            weights[grid.window_of(min(segment.start, grid.duration))] = 1.0
        weights = weights / weights.sum()
        probabilities = {t: weights @ p.probabilities for t, p in prediction.targets.items()}
        labels = {t: _label(p.classes, probabilities[t], p.threshold) for t, p in prediction.targets.items()}
        results.append(SegmentPrediction(segment, probabilities, labels))
    return results
