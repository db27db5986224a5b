"""The most likely sequence of window keys: per-window key scores, a price on every key change.

Independent per-window answers flicker between neighbouring keys where a window's evidence is
thin; a piece keeps its key for tens of seconds and modulates rarely. :func:`key_path` picks, by
dynamic programming (Viterbi, max-sum), the sequence of keys with the largest total score minus
``change_penalty`` for each change, so a new key must outscore the current one over several
windows to be taken, and a real modulation still is.
"""

from __future__ import annotations

import numpy as np

from mirloop.errors import InvalidValueError


def key_path(scores: np.ndarray, change_penalty: float) -> np.ndarray:
    """The index of each window's key: ``scores`` is ``(n_windows, n_keys)`` (higher is better);
    the path maximises the sum of its scores minus ``change_penalty`` per key change. With a
    penalty of 0 every window keeps its own best key."""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.ndim != 2 or scores.shape[1] == 0:
        raise InvalidValueError(f"scores must be (n_windows, n_keys), got shape {scores.shape}")
    if change_penalty < 0:
        raise InvalidValueError(f"change_penalty must be at least 0, got {change_penalty}")
    n, n_keys = scores.shape
    if n == 0 or change_penalty == 0:
        return np.argmax(scores, axis=1) if n else np.zeros(0, dtype=np.int64)
    total = scores[0].copy()
    came_from = np.zeros((n, n_keys), dtype=np.int64)
    keys = np.arange(n_keys)
    for i in range(1, n):
        best = int(np.argmax(total))
        switch = total[best] - change_penalty
        stay = total >= switch  # ties keep the key: a change must gain something
        came_from[i] = np.where(stay, keys, best)
        total = np.where(stay, total, switch) + scores[i]
    path = np.empty(n, dtype=np.int64)
    path[-1] = int(np.argmax(total))
    for i in range(n - 1, 0, -1):
        path[i - 1] = came_from[i, path[i]]
    return path
