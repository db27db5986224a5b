"""mir_eval-style scores of one estimate against its reference."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from types import ModuleType

import numpy as np

from mirloop.errors import MirloopError
from mirloop.types import Key

#: Relative tolerance of the tempo accuracies (4 %).
TEMPO_TOLERANCE = 0.04
#: Metrical factors at which Acc2 also accepts a tempo.
ACC2_FACTORS = (1.0, 2.0, 3.0, 1.0 / 2.0, 1.0 / 3.0)


def tempo_accuracy(
    estimate: float, reference: float, tolerance: float = TEMPO_TOLERANCE
) -> tuple[float, float]:
    """Acc1 and Acc2 (Gouyon et al. 2006) as 1.0/0.0.

    Acc1: ``estimate`` within ``tolerance`` (relative) of ``reference``. Acc2: within it of
    ``reference`` times 1, 2, 3, 1/2 or 1/3 (octave and metrical-level errors forgiven).
    """
    def close(target: float) -> bool:
        return abs(estimate - target) <= tolerance * target

    return float(close(reference)), float(any(close(reference * f) for f in ACC2_FACTORS))


def key_score(estimate: Key, reference: Key) -> float:
    """MIREX weighted key score (``mir_eval.key.weighted_score``): 1 same key, 0.5 fifth,
    0.3 relative, 0.2 parallel, 0 otherwise."""
    mir_eval = _mir_eval()
    return float(mir_eval.key.weighted_score(_mir_eval_key(reference), _mir_eval_key(estimate)))


#: Spacing (s) of the instants at which :func:`key_timeline_score` compares the keys.
KEY_TIMELINE_STEP = 0.1


def key_timeline_score(
    window_keys: Sequence[Key], centers: np.ndarray, regions: Sequence[tuple[float, float, Key]]
) -> float:
    """The MIREX key score over time: at every :data:`KEY_TIMELINE_STEP` within the annotated
    ``regions`` (``(start, end, key)``), the key of the window whose centre is nearest against the
    region's key, averaged. Each window speaks for the stretch around its centre, so a key change
    is scored wherever it falls, not only at window edges."""
    if not window_keys or len(window_keys) != len(centers):
        raise MirloopError(f"{len(window_keys)} window keys for {len(centers)} window centres")
    centers = np.asarray(centers, dtype=np.float64)
    cache: dict[tuple[Key, Key], float] = {}
    total, count = 0.0, 0
    for start, end, reference in regions:
        times = np.arange(start + KEY_TIMELINE_STEP / 2, end, KEY_TIMELINE_STEP)
        nearest = np.abs(times[:, None] - centers[None, :]).argmin(axis=1)
        for index, n in zip(*np.unique(nearest, return_counts=True)):
            pair = (window_keys[int(index)], reference)
            if pair not in cache:
                cache[pair] = key_score(*pair)
            total += cache[pair] * int(n)
            count += int(n)
    if count == 0:
        raise MirloopError("no annotated key region to score")
    return total / count


def boundary_f(estimate: np.ndarray, reference: np.ndarray, window: float) -> float:
    """Boundary hit-rate F-measure (``mir_eval.segment.detection``) within ±``window`` s.

    Both arguments are ``(n, 2)`` interval arrays covering the track; the track's start and
    end are not counted (``trim=True``), so only inner boundaries score. Two single-segment
    answers (no inner boundary on either side) score 1; one side without any scores 0.
    """
    mir_eval = _mir_eval()
    reference, estimate = np.asarray(reference, float), np.asarray(estimate, float)
    if len(reference) <= 1 or len(estimate) <= 1:
        return float(len(reference) <= 1 and len(estimate) <= 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, _, f_measure = mir_eval.segment.detection(reference, estimate, window=window, trim=True)
    return float(f_measure)


def _mir_eval() -> ModuleType:
    """The mir_eval package, or a :class:`~mirloop.errors.MirloopError` saying how to install it."""
    try:
        import mir_eval
    except ImportError as exc:
        raise MirloopError(
            "comparing backends needs mir_eval for the key and boundary scores: pip install mir_eval"
        ) from exc
    return mir_eval


def _mir_eval_key(key: Key) -> str:
    return f"{key.tonic} {key.mode}"
