"""``benchmarks/bench_mood_by_subgenre.py --groups``: each feature group scored alone names the
group that carries a subgenre's moods."""

from __future__ import annotations

import numpy as np
import pandas as pd
from benchmarks.bench_mood_by_subgenre import GROUPS, scores

from mirloop.types.features import FEATURE_NAMES


def windows_whose_mode_tells_the_mood(seed: int = 0) -> pd.DataFrame:
    """Three moods, eight renders each of four windows; only ``mode`` and ``thirds`` differ by mood."""
    rng = np.random.default_rng(seed)
    rows = []
    for mood_index, mood in enumerate(("dark", "hopeful", "triumphant")):
        for render in range(8):
            for _ in range(4):
                row = dict(zip(FEATURE_NAMES, rng.normal(size=len(FEATURE_NAMES)), strict=True))
                row["mode"] += 3.0 * mood_index
                row["thirds"] -= 3.0 * mood_index
                rows.append({**row, "mood": mood, "render_id": f"{mood}-{render}"})
    return pd.DataFrame(rows)


def test_the_groups_cover_the_21_features_once() -> None:
    grouped = [name for columns in GROUPS.values() for name in columns]
    assert sorted(grouped) == sorted(FEATURE_NAMES)


def test_the_group_that_carries_the_moods_scores_and_the_others_do_not() -> None:
    table = windows_whose_mode_tells_the_mood()
    result = scores(table, FEATURE_NAMES, folds=3, repeats=1, groups=True)
    assert set(result) == {"", " [harmony]", " [level]", " [timbre]", " [rhythm]"}
    assert result[" [harmony]"] > 0.9 and result[""] > 0.5  # 19 noise features dilute the whole
    for group in ("level", "timbre", "rhythm"):  # chance is 1/3
        assert result[f" [{group}]"] < 0.6, group


def test_without_groups_only_the_whole_score() -> None:
    table = windows_whose_mode_tells_the_mood(1)
    assert list(scores(table, FEATURE_NAMES, folds=3, repeats=1)) == [""]


def test_a_group_whose_features_the_dataset_lacks_is_left_out() -> None:
    table = windows_whose_mode_tells_the_mood(2)
    kept = [name for name in FEATURE_NAMES if name not in GROUPS["level"]]
    assert " [level]" not in scores(table, kept, folds=3, repeats=1, groups=True)
