"""Hand-built analyses with known content, for the writers' tests."""

from __future__ import annotations

import numpy as np

from mirloop.types import (
    FEATURE_NAMES,
    Analysis,
    Features,
    Grid,
    Key,
    KeyEstimate,
    Prediction,
    Segment,
    Segmentation,
    TargetPrediction,
    TempoEstimate,
)

A_MINOR, C_MAJOR = Key("A", "minor"), Key("C", "major")


def sample_analysis(*, classifier: bool = True, duration: float = 30.0) -> Analysis:
    """30 s, windows at 0, 2 … 20 s; segments A [0, 12), B [12, 30); A minor then C major."""
    grid = Grid(duration)
    n = grid.n_windows
    values = np.arange(n * len(FEATURE_NAMES), dtype=np.float32).reshape(n, -1)
    features = Features(grid, values, backend="toy")
    window_bpm = np.where(grid.centers < 12, 120.0, 90.0)
    tempo = TempoEstimate(120.0, 0.9, window_bpm, grid.centers, window_bpm, np.arange(0.0, duration, 0.5))
    window_keys = tuple(A_MINOR if c < 15 else C_MAJOR for c in grid.centers)
    key = KeyEstimate(A_MINOR, 0.8, window_keys, np.linspace(0.5, 0.9, n))
    segmentation = Segmentation((Segment(0.0, 12.0, "A"), Segment(12.0, duration, "B")), 2, "test")
    prediction = None
    if classifier:
        probabilities = np.tile([[0.7, 0.3]], (n, 1))
        probabilities[-1] = [0.2, 0.8]
        genre = TargetPrediction("genre", ("rock", "jazz"), probabilities)
        prediction = Prediction({"genre": genre}, model="m")
    return Analysis(
        source="/music/song.flac", duration=duration, sr=22050, grid=grid, features=features, tempo=tempo,
        key=key, segmentation=segmentation, prediction=prediction,
        backends={"features": "toy", "tempo": "toy", "key": "toy", "segmenter": "toy"},
    )
