"""Classifier output: labels and probabilities per target and per window."""

from __future__ import annotations

import numpy as np
from attrs import frozen

UNKNOWN = "unknown"


@frozen(eq=False)
class TargetPrediction:
    """Probabilities ``(n_windows, n_classes)`` over ``classes`` for one target.

    ``threshold`` is the open-set threshold: a window (or track) whose top probability is
    below it is labelled :data:`UNKNOWN`. The default 0 never answers unknown.
    """

    target: str
    classes: tuple[str, ...]
    probabilities: np.ndarray
    threshold: float = 0.0

    @property
    def labels(self) -> list[str]:
        """The most probable class per window (``unknown`` below ``threshold``)."""
        top = np.argmax(self.probabilities, axis=1)
        confident = self.probabilities[np.arange(len(top)), top] >= self.threshold
        return [self.classes[i] if ok else UNKNOWN for i, ok in zip(top, confident)]

    def track_probabilities(self) -> np.ndarray:
        """Mean probability over windows."""
        return np.asarray(self.probabilities.mean(axis=0))

    @property
    def track_label(self) -> str:
        """The most probable class of the mean probabilities (``unknown`` below ``threshold``)."""
        mean = self.track_probabilities()
        top = int(np.argmax(mean))
        return self.classes[top] if mean[top] >= self.threshold else UNKNOWN


@frozen(eq=False)
class Prediction:
    """One :class:`TargetPrediction` per target (genre, subgenre, mood, sentiment, valence, momentum)."""

    targets: dict[str, TargetPrediction]
    model: str = ""

    def __getitem__(self, target: str) -> TargetPrediction:
        return self.targets[target]
