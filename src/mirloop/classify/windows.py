"""Labelled feature windows: what a hierarchical model is trained and evaluated on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
from attrs import field, frozen

from mirloop.classify.hierarchy import ALL_TARGETS
from mirloop.errors import InvalidValueError


def str_tuple(values: Iterable[str]) -> tuple[str, ...]:
    """A tuple of strings (attrs converter)."""
    return tuple(str(v) for v in values)


def _labels(value: Mapping[str, object]) -> dict[str, np.ndarray]:
    return {key: np.asarray(column).astype(str) for key, column in value.items()}


@frozen(eq=False)
class LabeledWindows:
    """Window features with their labels and the render each window came from.

    ``values`` is ``(n_windows, n_features)`` in ``feature_names`` order; ``pca_input`` the
    per-window vectors the PCA coefficients are projected from (or ``None``); ``labels`` maps
    every target of :data:`~mirloop.classify.hierarchy.ALL_TARGETS` to ``n_windows`` strings;
    ``groups`` names the render (or track) of each window, so no split separates windows of
    one render.
    """

    feature_names: tuple[str, ...] = field(converter=str_tuple)
    values: np.ndarray = field(converter=lambda v: np.asarray(v, dtype=np.float32))
    labels: dict[str, np.ndarray] = field(converter=_labels)
    groups: np.ndarray = field(converter=lambda g: np.asarray(g).astype(str))
    pca_input: np.ndarray | None = None

    def __attrs_post_init__(self) -> None:
        n = self.values.shape[0]
        if self.values.ndim != 2 or self.values.shape[1] != len(self.feature_names):
            raise InvalidValueError(
                f"values have shape {self.values.shape}, expected (n, {len(self.feature_names)})"
            )
        missing = [t for t in ALL_TARGETS if t not in self.labels]
        if missing:
            raise InvalidValueError(f"labels lack target(s) {missing}")
        for key, column in (*self.labels.items(), ("groups", self.groups)):
            if len(column) != n:
                raise InvalidValueError(f"{key} has {len(column)} entries for {n} windows")
        if self.pca_input is not None and len(self.pca_input) != n:
            raise InvalidValueError(f"pca_input has {len(self.pca_input)} rows for {n} windows")

    def __len__(self) -> int:
        return int(self.values.shape[0])

    def subset(self, rows: np.ndarray) -> LabeledWindows:
        """The windows at ``rows`` (indices or a boolean mask)."""
        return LabeledWindows(
            self.feature_names,
            self.values[rows],
            {key: column[rows] for key, column in self.labels.items()},
            self.groups[rows],
            None if self.pca_input is None else np.asarray(self.pca_input)[rows],
        )
