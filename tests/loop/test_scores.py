"""Scores: accuracy and consistency with bootstrap intervals, boundary hit rate, prediction spread."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mirloop.loop.scores import (
    accuracy_table,
    bootstrap_ci,
    boundary_fidelity,
    consistency_table,
    loss_table,
    spread,
    title_consistency,
)
from mirloop.types.prediction import UNKNOWN


def test_bootstrap_interval_brackets_the_mean_and_shrinks_with_more_data() -> None:
    few = [1.0, 0.0, 1.0, 1.0]
    many = few * 25
    low, high = bootstrap_ci(few)
    assert low <= np.mean(few) <= high
    assert bootstrap_ci(many)[1] - bootstrap_ci(many)[0] < high - low
    assert bootstrap_ci([0.5]) == (0.5, 0.5) and all(np.isnan(bootstrap_ci([])))


def test_accuracy_counts_unknown_as_wrong_and_reports_its_rate() -> None:
    rows = [
        {"target": "genre", "expected": "rock", "predicted": p} for p in ("rock", "rock", "folk", UNKNOWN)
    ]
    table = accuracy_table(pd.DataFrame(rows)).set_index("target")
    assert table.loc["genre", "accuracy"] == 0.5 and table.loc["genre", "unknown_rate"] == 0.25
    assert table.loc["genre", "n"] == 4 and table["accuracy"].isna().sum() == 5
    assert table.loc["genre", "confusions"] == f"rock → folk ×1; rock → {UNKNOWN} ×1"
    assert table["heldout"].isna().all()  # no held-out scores given


def test_accuracy_sits_next_to_the_classifiers_held_out_accuracy_on_the_same_descriptors() -> None:
    rows = [
        {"target": "mood", "expected": "dark", "predicted": p, "heldout": h}
        for p, h in (("dark", 0.9), ("melancholic", 0.5), ("dark", float("nan")))
    ]
    table = accuracy_table(pd.DataFrame(rows)).set_index("target")
    assert table.loc["mood", "accuracy"] == pytest.approx(2 / 3)
    assert table.loc["mood", "heldout"] == pytest.approx(0.7)  # descriptors without a score are left out


def test_the_loss_table_says_whether_reduce_or_render_lost_the_label() -> None:
    def row(i: int, input_: str, rendered: str, renders: str) -> dict[str, object]:
        agree = float(renders == input_ and input_ != UNKNOWN)
        return {
            "track": "t",
            "segment": i,
            "target": "mood",
            "input": input_,
            "rendered": rendered,
            "renders": renders,
            "agree": agree,
            "n": 10,
        }

    agreement = pd.DataFrame(
        [
            row(0, "dark", "dark", "dark"),  # consistent
            row(1, "dark", "dark", "tense"),  # lost in render
            row(2, "dark", "dark", "tense"),  # lost in render
            row(3, "sad", "lonely", "lonely"),  # lost in reduce (nearest valid descriptor)
            row(4, UNKNOWN, "dark", "dark"),  # no input label
        ]
    )
    table = loss_table(agreement).set_index("target")
    assert list(table.index) == ["mood"]
    mood = table.loc["mood"]
    assert mood["segments"] == 5 and mood["consistency"] == pytest.approx(0.2)
    assert mood["kept"] == pytest.approx(3 / 4) and mood["recognised"] == pytest.approx(3 / 5)
    assert (mood["lost_in_reduce"], mood["lost_in_render"], mood["input_unknown"]) == (0.2, 0.4, 0.2)
    assert mood["confusions"] == "dark → tense ×2; sad → lonely ×1"
    assert np.isnan(mood["heldout"]) and np.isnan(mood["lost_where_weak"])
    assert loss_table(pd.DataFrame()).empty

    # the classifier gets the descriptor of segment 1 right on 60 % of its held-out renders,
    # that of segment 2 on 95 %: one of the two render losses is the model's own weakness
    agreement["heldout"] = [0.95, 0.6, 0.95, 0.9, 0.9]
    mood = loss_table(agreement).set_index("target").loc["mood"]
    assert mood["lost_where_weak"] == pytest.approx(0.2) and mood["heldout"] == pytest.approx(0.86)


def test_consistency_is_a_mean_over_titles_not_over_segments() -> None:
    agreement = pd.DataFrame(
        [{"track": "long", "segment": i, "target": "genre", "input": "rock", "agree": 1.0} for i in range(9)]
        + [{"track": "short", "segment": 0, "target": "genre", "input": "rock", "agree": 0.0}]
    )
    by_title = title_consistency(agreement)
    table = consistency_table(by_title, agreement).set_index("target")
    assert table.loc["genre", "consistency"] == 0.5  # (1 + 0) / 2 titles, not 9 / 10 segments
    assert (table.loc["genre", "min"], table.loc["genre", "max"]) == (0.0, 1.0)
    assert table.loc["genre", "titles"] == 2 and table.loc["genre", "input_unknown"] == 0.0


def test_boundary_fidelity_is_mir_evals_hit_rate_at_three_seconds() -> None:
    reference = np.array([[0, 10], [10, 20], [20, 30.0]])
    assert boundary_fidelity(reference, np.array([[0, 11], [11, 22.5], [22.5, 30]]))["f"] == 1.0
    half = boundary_fidelity(reference, np.array([[0, 10.5], [10.5, 30]]))
    assert half["precision"] == 1.0 and half["recall"] == 0.5
    assert boundary_fidelity(reference, np.array([[0, 15], [15, 30]]))["f"] == 0.0


def test_boundary_fidelity_with_a_single_segment() -> None:
    one = np.array([[0, 30.0]])
    assert boundary_fidelity(one, one)["f"] == 1.0
    assert boundary_fidelity(one, np.array([[0, 10], [10, 30.0]]))["f"] == 0.0


def test_spread_flags_a_run_where_one_descriptor_dominates() -> None:
    varied = spread(["a", "b", "c", "d"])
    assert varied["normalized_entropy"] == pytest.approx(1.0) and not varied["dominated"]
    assert varied["entropy"] == pytest.approx(2.0)
    stuck = spread(["a"] * 9 + ["b"])
    assert stuck["dominated"] and stuck["top"] == "a" and stuck["top_share"] == 0.9
    assert spread([])["count"] == 0
