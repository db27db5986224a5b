"""The tagger-set comparison (benchmarks/bench_tagger_sets.py): the sets, the halvings, the choice."""

from __future__ import annotations

from types import ModuleType

import numpy as np

BENCH = "bench_tagger_sets"


def test_every_set_hears_both_vocabularies(bench: ModuleType) -> None:
    sets = bench.tagger_sets()

    assert len(sets) == 9
    assert ("MTT_musicnn", "MSD_musicnn") in sets and ("MTT_vgg", "MSD_vgg") in sets
    assert ("MTT_musicnn", "MTT_vgg") not in sets  # no MSD tagger: hip-hop and jazz would be unheard


def test_each_halving_splits_whole_groups_and_is_used_both_ways(bench: ModuleType) -> None:
    groups = ["a", "a", "b", "c", "c", "d"]

    pairs = bench.halvings(groups, splits=3, seed=0)

    assert len(pairs) == 6
    for fit, test in pairs:
        assert (fit ^ test).all()
        assert fit[0] == fit[1] and fit[3] == fit[4]  # a group is never split


def test_the_set_best_on_the_fitting_half_is_scored_on_the_other(bench: ModuleType) -> None:
    # "left" is right on the first half only, "right" on the second only
    agreed = {"left": np.array([True, True, False, False]), "right": np.array([False, False, True, True])}
    first = np.array([True, True, False, False])
    recordings = np.array([True, False, True, False])

    result = bench.chosen_by_cv(agreed, [(first, ~first), (~first, first)], recordings)

    assert result["cross_validated"] == 0.0  # what fits one half is wrong on the other
    assert result["chosen"] == {"left": 1, "right": 1}
    assert result["fixed_on_the_same_halves"]["left"] == [0.5, 0.5]
