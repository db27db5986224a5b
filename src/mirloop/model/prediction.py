"""Classifier output: labels and probabilities per target and per window."""

from __future__ import annotations

import numpy as np
from attrs import frozen

UNKNOWN = "unknown"


@frozen(eq=False)
class TargetPrediction:
    """Probabilities ``(n_windows, n_classes)`` over ``classes`` for one target."""

    target: str
    classes: tuple[str, ...]
    probabilities: np.ndarray

    @property
    def labels(self) -> list[str]:
        """The most probable class per window."""
        return [self.classes[i] for i in np.argmax(self.probabilities, axis=1)]

    def track_probabilities(self) -> np.ndarray:
        """Mean probability over windows."""
        return np.asarray(self.probabilities.mean(axis=0))

    @property
    def track_label(self) -> str:
        return self.classes[int(np.argmax(self.track_probabilities()))]


@frozen(eq=False)
class Prediction:
    """One :class:`TargetPrediction` per target (genre, subgenre, mood, sentiment, valence, momentum)."""

    targets: dict[str, TargetPrediction]
    model: str = ""

    def __getitem__(self, target: str) -> TargetPrediction:
        return self.targets[target]
