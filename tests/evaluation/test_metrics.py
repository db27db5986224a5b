"""The scores follow mir_eval's definitions."""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.errors import MirloopError
from mirloop.evaluation import boundary_f, key_score, tempo_accuracy
from mirloop.types import Key


@pytest.mark.parametrize(
    ("estimate", "reference", "expected"),
    [
        (122.0, 120.0, (1.0, 1.0)),   # within 4 %
        (125.5, 120.0, (0.0, 0.0)),   # 4.6 % off
        (240.0, 120.0, (0.0, 1.0)),   # double
        (60.0, 120.0, (0.0, 1.0)),    # half
        (40.0, 120.0, (0.0, 1.0)),    # third
        (180.0, 120.0, (0.0, 0.0)),   # 3/2 is not a forgiven factor
    ],
)
def test_tempo_acc1_and_acc2(estimate: float, reference: float, expected: tuple[float, float]) -> None:
    assert tempo_accuracy(estimate, reference) == expected


@pytest.mark.parametrize(
    ("estimate", "expected"),
    [(Key("A", "minor"), 1.0), (Key("E", "minor"), 0.5), (Key("C", "major"), 0.3), (Key("A", "major"), 0.2),
     (Key("Bb", "minor"), 0.0)],
)
def test_mirex_key_score_against_a_minor(estimate: Key, expected: float) -> None:
    assert key_score(estimate, Key("A", "minor")) == pytest.approx(expected)


def test_boundary_f_counts_inner_boundaries_within_the_window() -> None:
    reference = np.array([[0.0, 10.0], [10.0, 20.0], [20.0, 30.0]])
    one_second_late = np.array([[0.0, 11.0], [11.0, 21.0], [21.0, 30.0]])
    assert boundary_f(reference, reference, 0.5) == 1.0
    assert boundary_f(one_second_late, reference, 0.5) == 0.0
    assert boundary_f(one_second_late, reference, 3.0) == 1.0


def test_boundary_f_of_a_single_segment() -> None:
    whole = np.array([[0.0, 30.0]])
    split = np.array([[0.0, 15.0], [15.0, 30.0]])
    assert boundary_f(whole, whole, 3.0) == 1.0
    assert boundary_f(split, whole, 3.0) == 0.0
    assert boundary_f(whole, split, 3.0) == 0.0


def test_the_key_over_time_scores_each_moment_by_the_window_centred_nearest() -> None:
    from mirloop.evaluation.metrics import key_timeline_score
    from mirloop.types import Grid

    c, g = Key("C", "major"), Key("G", "major")
    centers = Grid(14.0).centers  # windows at 0, 2, 4 s: centres 5, 7, 9
    regions = [(0.0, 8.0, c), (8.0, 14.0, g)]
    assert key_timeline_score([c, c, g], centers, regions) == pytest.approx(1.0)
    # the middle window (6-8 s) says G while C sounds: 2 s of 14 score a fifth's 0.5
    assert key_timeline_score([c, g, g], centers, regions) == pytest.approx((12 + 0.5 * 2) / 14)
    with pytest.raises(MirloopError, match="2 window keys for 3 window centres"):
        key_timeline_score([c, g], centers, regions)
