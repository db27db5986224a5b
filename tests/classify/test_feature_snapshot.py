"""The window features the shipped models hear: a change of the analysis that moves them fails here.

A model hears the features the analysis computes; when those move (as the tempo reading did in
2c378b7: 3.6 % of a build's renders read at another tempo), the shipped models must be rebuilt on
them (docs/training.md, "The shipped default model"; docs/real-music.md for the genre-production
listener), since a model trained on the former values hears the new ones off its training. The
snapshot holds, per source, the mean of every feature column except the per-track PCA ones. It is
the features of the shipped genre-production listener; the GM-trained default model predates
2c378b7 (its measured loss: docs/real-music.md). After rebuilding the models, refresh it with

    MIRLOOP_REFRESH_FEATURE_SNAPSHOT=1 pytest tests/classify/test_feature_snapshot.py
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from mirloop.io.audio import load_audio
from mirloop.plugins import registry
from mirloop.renderer import render_descriptor
from mirloop.signal import TrackContext
from mirloop.types import Audio

SNAPSHOT = Path(__file__).with_name("feature_snapshot.json")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "audio" / "noiz2sa__stg3.ogg"


def _render(descriptor: str, seed: int, production: str) -> Callable[[], Audio]:
    def make() -> Audio:
        result = render_descriptor(
            descriptor, 20.0, seed=seed, config={"production": production, "sr": 22050}
        )
        return result.audio.mono()

    return make


#: The example clip, and renders near 90 BPM whose tempo the former reading doubled.
SOURCES: dict[str, Callable[[], Audio]] = {
    "example clip": lambda: load_audio(EXAMPLE),
    "folk_acoustic_heartfelt, seed 19, gm": _render("folk_acoustic_heartfelt", 19, "gm"),
    "documentary_underscore_steady, seed 45, genre": _render("documentary_underscore_steady", 45, "genre"),
}


def feature_means(audio: Audio) -> dict[str, float]:
    features = registry().create("features", "librosa").extract(TrackContext(audio))
    return {
        name: float(features.column(name).mean()) for name in features.names if not name.startswith("pca_")
    }


def test_the_features_are_those_the_shipped_models_were_trained_on() -> None:
    current = {source: feature_means(make()) for source, make in SOURCES.items()}
    if os.environ.get("MIRLOOP_REFRESH_FEATURE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert sorted(expected) == sorted(current)
    moved = [
        f"{source}: {name} {expected[source][name]:.6g} -> {value:.6g}"
        for source, values in current.items()
        for name, value in values.items()
        if not np.isclose(value, expected[source].get(name, np.nan), rtol=1e-3, atol=1e-4)
    ]
    assert not moved, (
        "the analysis now computes other features than the shipped models were trained on; rebuild "
        "the models (docs/training.md), then refresh the snapshot (this module's docstring):\n"
        + "\n".join(moved)
    )
