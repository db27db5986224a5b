"""Open-set answers: a validated threshold turns costly low-confidence errors into 'unknown'."""

from __future__ import annotations

import numpy as np

from mirloop.classify.openset import answer_costs, choose_threshold, distance_matrix, target_distance
from mirloop.types.prediction import UNKNOWN, TargetPrediction


def test_ordinal_targets_cost_their_level_gap_and_nominal_ones_cost_one() -> None:
    assert target_distance("momentum", "0", "4") == 1.0
    assert target_distance("momentum", "1", "2") == 0.25
    assert target_distance("sentiment", "negative", "neutral") == 0.5
    assert target_distance("genre", "rock", "folk") == 1.0
    assert target_distance("genre", "rock", "rock") == 0.0


def test_the_threshold_abstains_where_the_model_is_mostly_wrong() -> None:
    rng = np.random.default_rng(0)
    n = 400
    confident = rng.random(n) < 0.5
    truth = rng.integers(0, 3, n)
    answer = np.where(confident, truth, (truth + 1) % 3)  # unsure windows are always wrong
    top = np.where(confident, 0.9, 0.4)
    probabilities = np.full((n, 3), 0.0)
    probabilities[np.arange(n), answer] = top
    probabilities[np.arange(n), (answer + 1) % 3] = 1 - top
    choice = choose_threshold(
        probabilities, truth, distance_matrix("genre", ("a", "b", "c")), unknown_cost=0.5
    )
    assert 0.4 < choice.threshold <= 0.9
    assert choice.unknown_rate == np.mean(~confident)
    assert choice.cost < choice.cost_without


def test_a_confident_model_never_answers_unknown() -> None:
    probabilities = np.eye(3)[[0, 1, 2, 0]]
    choice = choose_threshold(
        probabilities, np.array([0, 1, 2, 0]), distance_matrix("genre", ("a", "b", "c"))
    )
    assert choice.threshold == 0.0 and choice.unknown_rate == 0.0


def test_labels_below_the_threshold_read_unknown() -> None:
    prediction = TargetPrediction(
        "genre", ("rock", "folk"), np.array([[0.9, 0.1], [0.55, 0.45]]), threshold=0.6
    )
    assert prediction.labels == ["rock", UNKNOWN]
    assert prediction.track_label == "rock"  # mean 0.725


def test_unknown_for_an_unseen_class_costs_nothing_and_for_a_known_one_costs_the_abstention() -> None:
    costs = answer_costs(
        ["jazz", "rock", "rock"],
        [UNKNOWN, UNKNOWN, "folk"],
        "genre",
        unknown_cost=0.3,
        known=("rock", "folk"),
    )
    np.testing.assert_allclose(costs, [0.0, 0.3, 1.0])


def test_the_descriptor_target_uses_the_given_descriptor_distance() -> None:
    costs = answer_costs(["a", "a"], ["a", "b"], "descriptor", descriptor_distance=lambda x, y: 0.25)
    np.testing.assert_allclose(costs, [0.0, 0.25])


def test_a_wrong_mood_costs_less_when_its_profile_is_close() -> None:
    profiles = {"calm": ("neutral", 1, 0), "dreamy": ("neutral", 1, 1), "angry": ("negative", 0, 4)}
    near = target_distance("mood", "calm", "dreamy", profiles)
    far = target_distance("mood", "calm", "angry", profiles)
    assert 0.44 < near < far <= 1.0
    assert target_distance("mood", "calm", "unheard-of", profiles) == 1.0
