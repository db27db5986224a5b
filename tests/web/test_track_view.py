"""What the analysis view is made of: one row per window with its doubt, and waveform envelopes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mirloop.catalog import load_catalog
from mirloop.serve.web.media import waveform
from mirloop.serve.web.track_job import UNSURE_BELOW, window_rows
from mirloop.types import Audio


def merged(probabilities: list[float], moods: list[str]) -> pd.DataFrame:
    n = len(probabilities)
    return pd.DataFrame(
        {
            "window": range(n), "start": [2.0 * i for i in range(n)], "end": [2.0 * i + 10 for i in range(n)],
            "tempo_bpm": [120.0] * n, "key": ["A minor"] * n, "segment": [0] * n,
            "genre": ["ambient"] * n, "genre_probability": [0.9] * n,
            "subgenre": ["chill"] * n, "subgenre_probability": [0.9] * n,
            "mood": moods, "mood_probability": probabilities,
        }
    )


def test_a_window_is_unsure_below_the_threshold_or_when_a_label_is_unknown() -> None:
    table = merged([0.95, UNSURE_BELOW - 0.01, 0.9], ["dreamy", "dreamy", "unknown"])
    rows = window_rows(table, load_catalog(), duration=15.0)

    assert [r["unsure"] for r in rows] == [False, True, True]
    assert rows[0]["descriptor"] == "ambient_chill_dreamy"
    assert rows[0]["probability"] == 0.9  # the lowest of genre, subgenre and mood
    assert rows[1]["probability"] == UNSURE_BELOW - 0.01
    assert rows[2]["descriptor"] is not None  # nearest entry of the known genre and subgenre
    assert rows[0]["tempo"] == 120.0 and rows[0]["key"] == "A minor"
    # centres at 5, 7 and 9 s: the spans tile the whole track
    assert [r["span"] for r in rows] == [[0.0, 6.0], [6.0, 8.0], [8.0, 15.0]]


def test_a_waveform_is_scaled_to_its_loudest_slice() -> None:
    samples = np.concatenate([np.full(1000, 0.1), np.full(1000, -0.4)]).astype(np.float32)

    shape = waveform(Audio(samples, 1000), bins=4)

    assert shape == {"duration": 2.0, "peaks": [0.25, 0.25, 1.0, 1.0]}
    assert waveform(Audio(np.zeros(100, dtype=np.float32), 100), bins=4)["peaks"] == [0.0] * 4
