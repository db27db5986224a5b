"""The window-key path: a key change must pay for itself; flicker goes, modulations stay."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mirloop.backends.librosa.key import LibrosaKey
from mirloop.backends.librosa.profiles import key_confidence
from mirloop.errors import InvalidValueError, OptionError
from mirloop.signal import TrackContext
from mirloop.signal.key_path import key_path
from mirloop.testing.signals import SplicedTrack
from mirloop.types import Key


def scores_for(keys: list[int], n_keys: int = 4, margin: float = 0.3) -> np.ndarray:
    """Scores where window ``i`` prefers key ``keys[i]`` by ``margin``."""
    scores = np.zeros((len(keys), n_keys))
    scores[np.arange(len(keys)), keys] = margin
    return scores


def test_without_a_penalty_each_window_keeps_its_best_key() -> None:
    scores = scores_for([0, 1, 0, 2, 2])
    assert key_path(scores, 0.0).tolist() == [0, 1, 0, 2, 2]


def test_a_one_window_flicker_goes_and_a_lasting_change_stays() -> None:
    scores = scores_for([0, 0, 1, 0, 0, 2, 2, 2, 2])
    assert key_path(scores, 0.35).tolist() == [0, 0, 0, 0, 0, 2, 2, 2, 2]
    # a price above what the new key gains over all its windows (4 x 0.3) keeps the first key
    assert key_path(scores, 1.3).tolist() == [0] * 9


def test_the_path_is_the_best_total_score_minus_the_changes() -> None:
    rng = np.random.default_rng(3)
    scores = rng.normal(size=(6, 3))
    penalty = 0.4

    def total(path: tuple[int, ...]) -> float:
        changes = sum(a != b for a, b in itertools.pairwise(path))
        return float(sum(scores[i, k] for i, k in enumerate(path))) - penalty * changes

    best = max(itertools.product(range(3), repeat=6), key=total)
    assert tuple(key_path(scores, penalty).tolist()) == best


@pytest.mark.parametrize(
    ("scores", "penalty", "message"),
    [(np.zeros(24), 0.1, "n_windows, n_keys"), (np.zeros((3, 24)), -0.1, "at least 0")],
)
def test_bad_inputs_are_refused(scores: np.ndarray, penalty: float, message: str) -> None:
    with pytest.raises(InvalidValueError, match=message):
        key_path(scores, penalty)


def test_the_confidence_of_a_chosen_key_is_its_margin_over_the_best_other() -> None:
    scores = np.array([[0.9, 0.5, 0.1], [0.4, 0.8, 0.1]])
    chosen = key_confidence(scores, np.array([0, 0]))
    assert chosen[0] == pytest.approx(key_confidence(scores)[0])
    assert chosen[1] == 0.0  # key 0 is not this window's best: the window alone does not back it


def test_librosa_keeps_a_real_key_change_with_a_penalty(aba: SplicedTrack, aba_context: TrackContext) -> None:
    plain = LibrosaKey(change_penalty=0.0).estimate_key(aba_context)
    smoothed = LibrosaKey().estimate_key(aba_context)  # the default prices a change at 0.3
    centres = aba_context.grid.centers
    in_b = (centres > 25.0) & (centres < 35.0)
    assert {smoothed.window_keys[i] for i in np.flatnonzero(in_b)} == {Key("F#", "minor")}
    changes = sum(a != b for a, b in zip(smoothed.window_keys, smoothed.window_keys[1:]))
    assert changes == 2 and changes <= sum(a != b for a, b in zip(plain.window_keys, plain.window_keys[1:]))
    assert smoothed.key == plain.key


def test_a_negative_change_penalty_is_refused() -> None:
    with pytest.raises(OptionError, match="change_penalty must be at least 0"):
        LibrosaKey(change_penalty=-1.0)
