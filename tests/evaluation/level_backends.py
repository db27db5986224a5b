"""A feature backend and a classifier whose answers follow from the track's level alone.

``level`` extracts one column, the RMS of each window; ``by-level`` answers genre ``ambient``
(probability 0.9) for a track whose windows are quieter than ``threshold`` and ``rock`` (0.8)
otherwise, so a test that renders loud and quiet tracks knows every answer in advance. Its
``unknown_below`` option is the open-set threshold: loud tracks (0.8) turn ``unknown`` above 0.8.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from mirloop import hookimpl
from mirloop.stages import Backend, Option
from mirloop.types import Features, Prediction, TargetPrediction

#: The classes of both targets, and the probabilities of a quiet and of a loud window.
GENRES = ("ambient", "rock")
DESCRIPTORS = ("ambient_chill_floating", "rock_classic_driving")
QUIET = (0.9, 0.1)
LOUD = (0.2, 0.8)


class LevelFeatures(Backend):
    """The RMS of every window."""

    name: ClassVar[str] = "level"
    stage: ClassVar[str] = "features"
    summary: ClassVar[str] = "window RMS"

    def extract(self, ctx: Any) -> Features:
        rms = [
            float(
                np.sqrt(np.mean(np.square(ctx.samples[int(s * ctx.sr) : int(e * ctx.sr)], dtype=np.float64)))
            )
            for s, e in zip(ctx.grid.starts, ctx.grid.ends)
        ]
        return Features(ctx.grid, np.asarray(rms)[:, None], names=("rms",), backend=self.name)


class LevelClassifier(Backend):
    """``ambient`` for quiet windows, ``rock`` for loud ones."""

    name: ClassVar[str] = "by-level"
    stage: ClassVar[str] = "classifier"
    summary: ClassVar[str] = "ambient when quiet, rock when loud"
    options: ClassVar[dict[str, Option]] = {
        "threshold": Option(0.02, float, "window RMS separating quiet from loud"),
        "unknown_below": Option(0.0, float, "open-set threshold of both targets"),
    }

    def predict(self, features: Features) -> Prediction:
        loud = features.column("rms") > self.opts["threshold"]
        probabilities = np.where(loud[:, None], [LOUD], [QUIET])
        threshold = self.opts["unknown_below"]
        return Prediction(
            {
                "genre": TargetPrediction("genre", GENRES, probabilities, threshold),
                "descriptor": TargetPrediction("descriptor", DESCRIPTORS, probabilities, threshold),
            },
            model="by-level",
        )


class MoodOnlyClassifier(Backend):
    """Answers a mood and nothing else (no genre to score)."""

    name: ClassVar[str] = "mood-only"
    stage: ClassVar[str] = "classifier"
    summary: ClassVar[str] = "a mood, no genre"

    def predict(self, features: Features) -> Prediction:
        probabilities = np.ones((features.grid.n_windows, 1))
        return Prediction({"mood": TargetPrediction("mood", ("calm",), probabilities)}, model="mood-only")


@hookimpl
def register_feature_extractors(register: Any) -> None:
    register(LevelFeatures)


@hookimpl
def register_classifiers(register: Any) -> None:
    register(LevelClassifier)
    register(MoodOnlyClassifier)
