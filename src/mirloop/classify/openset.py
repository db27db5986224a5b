"""Open-set answers: ``unknown`` below a confidence threshold, and distance-weighted error costs.

A wrong answer costs the *distance* between the true and the predicted class (in [0, 1]);
answering ``unknown`` costs a fixed ``unknown_cost``; a right answer costs 0, and so does
``unknown`` for a truth the model has never seen. The threshold on the top probability is
chosen on validation windows to minimise the mean cost.

Distances: genre and subgenre cost 1 per error; a wrong mood costs, on the catalog
distance's weights, ``(0.20 + 0.05·[sentiment differs] + 0.10·|Δvalence|/2 +
0.10·|Δmomentum|/4) / 0.45`` (0.44 for a mood of the same profile, 1 for the opposite one;
1 when a mood's profile is unknown); ordinal targets (sentiment, valence, momentum) cost the
normalised level difference; the joint ``descriptor`` target uses the catalog's ``distance``
when the catalog provides one, else the mean of the per-field distances above.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from attrs import frozen

from mirloop.types.descriptor import MOMENTUM_LEVELS, SENTIMENTS, VALENCE_LEVELS
from mirloop.types.prediction import UNKNOWN

#: Cost of answering ``unknown`` (a wrong nominal answer costs 1).
DEFAULT_UNKNOWN_COST = 0.5

_ORDINAL: dict[str, tuple[str, ...]] = {
    "sentiment": SENTIMENTS,
    "valence": tuple(str(v) for v in VALENCE_LEVELS),
    "momentum": tuple(str(m) for m in MOMENTUM_LEVELS),
}
_FIELDS = ("genre", "subgenre", "mood", "sentiment", "valence", "momentum")

DescriptorFields = Mapping[str, Mapping[str, str]]
#: mood -> (sentiment, valence, momentum)
MoodProfiles = Mapping[str, tuple[str, int, int]]
_MOOD_WEIGHTS = {"mood": 0.20, "sentiment": 0.05, "valence": 0.10, "momentum": 0.10}


def mood_profiles_of(labels: Mapping[str, Sequence[str] | np.ndarray]) -> dict[str, tuple[str, int, int]]:
    """The (sentiment, valence, momentum) of every mood in label columns."""
    return {
        str(m): (str(s), int(v), int(o))
        for m, s, v, o in zip(labels["mood"], labels["sentiment"], labels["valence"], labels["momentum"])
    }


def mood_distance(a: str, b: str, profiles: MoodProfiles) -> float:
    """Distance in [0.44, 1] between two moods from their profiles (1 if a profile is unknown)."""
    if a == b:
        return 0.0
    pa, pb = profiles.get(a), profiles.get(b)
    if pa is None or pb is None:
        return 1.0
    w = _MOOD_WEIGHTS
    gap = w["mood"] + w["sentiment"] * (pa[0] != pb[0])
    gap += w["valence"] * abs(pa[1] - pb[1]) / 2 + w["momentum"] * abs(pa[2] - pb[2]) / 4
    return gap / sum(w.values())


def target_distance(target: str, a: str, b: str, mood_profiles: MoodProfiles | None = None) -> float:
    """Distance in [0, 1] between two labels of one target (not the descriptor target)."""
    if a == b:
        return 0.0
    if target == "mood" and mood_profiles:
        return mood_distance(a, b, mood_profiles)
    levels = _ORDINAL.get(target)
    if levels is not None and a in levels and b in levels:
        return abs(levels.index(a) - levels.index(b)) / (len(levels) - 1)
    return 1.0


def fallback_descriptor_distance(fields: DescriptorFields) -> Callable[[str, str], float]:
    """Mean per-field distance between two descriptors, from their label fields."""

    def distance(a: str, b: str) -> float:
        if a == b:
            return 0.0
        fa, fb = fields[a], fields[b]
        per_field = [target_distance(t, fa[t], fb[t]) for t in _FIELDS]
        # a subgenre name shared by two genres is still a different subgenre
        if fa["genre"] != fb["genre"]:
            per_field[1] = 1.0
        return float(np.mean(per_field))

    return distance


def catalog_descriptor_distance() -> Callable[[str, str], float] | None:
    """The catalog's descriptor distance, or ``None`` when the catalog offers none."""
    try:
        from mirloop.catalog import load_catalog

        catalog = load_catalog()
    except Exception:  # the catalog is optional for classification
        return None
    distance = getattr(catalog, "distance", None)
    if not callable(distance):
        return None

    def by_name(a: str, b: str) -> float:
        try:
            return float(np.clip(distance(a, b), 0.0, 1.0))
        except Exception:
            return 1.0 if a != b else 0.0

    return by_name


def distance_matrix(
    target: str,
    classes: Sequence[str],
    descriptor_distance: Callable[[str, str], float] | None = None,
    mood_profiles: MoodProfiles | None = None,
) -> np.ndarray:
    """``D[i, j]`` = distance between class ``i`` (truth) and class ``j`` (answer)."""
    n = len(classes)
    matrix = np.zeros((n, n))
    for i, a in enumerate(classes):
        for j, b in enumerate(classes):
            if target == "descriptor" and descriptor_distance is not None:
                matrix[i, j] = descriptor_distance(a, b)
            else:
                matrix[i, j] = target_distance(target, a, b, mood_profiles)
    return matrix


def answer_costs(
    truth: Sequence[str] | np.ndarray,
    answers: Sequence[str] | np.ndarray,
    target: str,
    descriptor_distance: Callable[[str, str], float] | None = None,
    unknown_cost: float = DEFAULT_UNKNOWN_COST,
    known: Sequence[str] = (),
    mood_profiles: MoodProfiles | None = None,
) -> np.ndarray:
    """The cost of each answer (see the module docstring); ``known`` lists the model's classes."""
    known_set = set(known)
    costs = np.empty(len(truth))
    for i, (t, a) in enumerate(zip(truth, answers)):
        if a == UNKNOWN:
            costs[i] = 0.0 if known_set and t not in known_set else unknown_cost
        elif target == "descriptor" and descriptor_distance is not None:
            costs[i] = 0.0 if t == a else descriptor_distance(t, a)
        else:
            costs[i] = target_distance(target, t, a, mood_profiles)
    return costs


@frozen
class ThresholdChoice:
    """The chosen threshold, the validation cost with and without it, and the unknown rate."""

    threshold: float
    cost: float
    cost_without: float
    unknown_rate: float


def choose_threshold(
    probabilities: np.ndarray,
    truth_codes: np.ndarray,
    distances: np.ndarray,
    unknown_cost: float = DEFAULT_UNKNOWN_COST,
) -> ThresholdChoice:
    """The top-probability threshold minimising the mean cost on validation windows.

    ``truth_codes[i]`` indexes the true class of window ``i`` (``-1`` for a class the model
    does not know). Ties go to the lowest threshold (fewest ``unknown`` answers).
    """
    answer = np.argmax(probabilities, axis=1)
    confidence = probabilities[np.arange(len(answer)), answer]
    known = truth_codes >= 0
    error_cost = np.where(known, distances[np.where(known, truth_codes, 0), answer], 1.0)
    abstain_cost = np.where(known, unknown_cost, 0.0)
    candidates = np.unique(np.concatenate([[0.0], np.quantile(confidence, np.linspace(0, 1, 101))]))
    candidates = np.unique(np.concatenate([candidates, np.nextafter(candidates, 2.0)]))
    best = ThresholdChoice(0.0, float(error_cost.mean()), float(error_cost.mean()), 0.0)
    for tau in candidates:
        abstain = confidence < tau
        cost = float(np.where(abstain, abstain_cost, error_cost).mean())
        if cost < best.cost - 1e-12:
            best = ThresholdChoice(float(tau), cost, best.cost_without, float(abstain.mean()))
    return best
