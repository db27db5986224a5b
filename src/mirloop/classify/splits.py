"""Train/test splits of window tables: grouped by render (honest) and window-level (the paper's).

Overlapping 10-s windows with a 2-s hop share 80 % of their audio with their neighbours, so a
window-level split puts near-copies of test windows in the training set. :func:`grouped_split`
keeps every window of one render (or track) on one side; :func:`window_split` reproduces the
paper's stratified 70/30 split over windows, for comparison only.
"""

from __future__ import annotations

import warnings

import numpy as np
from attrs import frozen

from mirloop.errors import DatasetError


@frozen(eq=False)
class Split:
    """Row indices of the training and test windows, and how they were chosen."""

    train: np.ndarray
    test: np.ndarray
    method: str

    def overlapping_groups(self, groups: np.ndarray) -> set[str]:
        """Groups (renders) with windows on both sides: empty for an honest split."""
        return set(groups[self.train].tolist()) & set(groups[self.test].tolist())


def _too_small(has: str, needs: str) -> DatasetError:
    return DatasetError(
        f"the dataset holds {has}; a held-out test split needs {needs} (one side to train on, one "
        f"to test): generate more renders (`mirloop dataset generate --per-descriptor N`), lower "
        f"--test-size, or train on everything with --test-size 0"
    )


def grouped_split(strata: np.ndarray, groups: np.ndarray, test_size: float = 0.3, *, seed: int = 0) -> Split:
    """A test split of about ``test_size`` of the groups, stratified by ``strata``, grouped by ``groups``.

    Uses ``StratifiedGroupKFold`` with ``round(1 / test_size)`` folds and takes the first fold
    as the test set; when a stratum has fewer groups than folds, stratification is best effort.
    """
    from sklearn.model_selection import GroupShuffleSplit, StratifiedGroupKFold

    strata, groups = np.asarray(strata).astype(str), np.asarray(groups).astype(str)
    n_groups = len(set(groups.tolist()))
    if n_groups < 2:
        raise _too_small(f"{n_groups} render(s)", "at least 2 renders")
    n_splits = max(2, min(round(1 / test_size), n_groups))
    rows = np.arange(len(groups))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "least populated class" warnings
            folds = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
            train, test = next(folds.split(rows, strata, groups))
        method = f"StratifiedGroupKFold(n_splits={n_splits}) fold 1, grouped by render"
    except ValueError:
        shuffle = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
        try:
            train, test = next(shuffle.split(rows, strata, groups))
        except ValueError:
            needs = f"more renders for a test share of {test_size:g}"
            raise _too_small(f"{n_groups} renders", needs) from None
        method = f"GroupShuffleSplit(test_size={test_size}), grouped by render"
    return Split(np.sort(train), np.sort(test), method)


def window_split(strata: np.ndarray, test_size: float = 0.3, *, seed: int = 0) -> Split:
    """The paper's split: windows drawn at random (stratified), ignoring which render they came from."""
    from sklearn.model_selection import train_test_split

    strata = np.asarray(strata).astype(str)
    rows = np.arange(len(strata))
    counts = {value: int((strata == value).sum()) for value in set(strata.tolist())}
    stratify = strata if min(counts.values()) >= 2 else None
    try:
        train, test = train_test_split(rows, test_size=test_size, random_state=seed, stratify=stratify)
    except ValueError:
        needs = f"more windows for a test share of {test_size:g}"
        raise _too_small(f"{len(rows)} window(s)", needs) from None
    return Split(
        np.sort(train), np.sort(test), f"stratified window-level {1 - test_size:.0%}/{test_size:.0%} (leaky)"
    )
