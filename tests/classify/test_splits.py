"""The honest split keeps every render on one side; the paper's window split does not."""

from __future__ import annotations

from mirloop.classify.splits import grouped_split, window_split
from mirloop.classify.windows import LabeledWindows


def test_the_grouped_split_puts_no_render_on_both_sides(windows: LabeledWindows) -> None:
    for seed in range(3):
        split = grouped_split(windows.labels["descriptor"], windows.groups, 0.3, seed=seed)
        assert split.overlapping_groups(windows.groups) == set()
        assert len(split.train) + len(split.test) == len(windows)
        assert 0.2 < len(split.test) / len(windows) < 0.45


def test_the_grouped_split_is_stratified_by_descriptor(windows: LabeledWindows) -> None:
    split = grouped_split(windows.labels["descriptor"], windows.groups, 0.3, seed=0)
    assert set(windows.labels["descriptor"][split.test]) == set(windows.labels["descriptor"])


def test_the_window_split_leaks_renders_across_the_split(windows: LabeledWindows) -> None:
    split = window_split(windows.labels["descriptor"], 0.3, seed=0)
    assert "leaky" in split.method
    assert len(split.overlapping_groups(windows.groups)) > 0.8 * len(set(windows.groups))
