"""A tiny trained model and reference tracks with known form, made once per session.

The model is a real hierarchical KNN trained by the training pipeline on a real (tiny) dataset:
three descriptors, two 12-s renders each. The reference track is a render of two of those
descriptors in a row, so its form and style are known.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mirloop.dataset.generate import generate_dataset
from mirloop.pipelines.training import train_from_dataset

#: Length of each half of the reference track, in seconds.
HALF = 14.0


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("loop-model")
    generate_dataset(
        root / "data", per_descriptor=2, durations=[12.0], limit_descriptors=3, workers=1, progress=False
    )
    train_from_dataset(
        root / "data", root / "model", kind="knn", test_size=0.0, leaky_comparison=False, figures=False
    )
    return root / "model"


@pytest.fixture(scope="session")
def trained_descriptors(tiny_model: Path) -> list[str]:
    import pandas as pd

    table = pd.read_parquet(tiny_model.parent / "data" / "features.parquet")
    return sorted(set(table["descriptor"]))


@pytest.fixture(scope="session")
def tracks(tmp_path_factory: pytest.TempPathFactory, trained_descriptors: list[str]) -> dict[str, Path]:
    """``reference`` (two regions), ``short`` (3 s), ``silent`` (5 s of zeros), ``broken`` (not audio)."""
    from mirloop.renderer import render
    from mirloop.timeline import multi_region

    folder = tmp_path_factory.mktemp("loop-tracks")
    first, second = trained_descriptors[0], trained_descriptors[-1]
    timeline = multi_region([(0.0, HALF, first), (HALF, 2 * HALF, second)], seed=5)
    audio = render(timeline, seed=5, config={"sr": 22050}).audio
    paths = {name: folder / f"{name}.wav" for name in ("reference", "short", "silent")}
    sf.write(paths["reference"], audio.samples.T, audio.sr)
    sf.write(paths["short"], audio.samples.T[: 3 * audio.sr], audio.sr)
    sf.write(paths["silent"], np.zeros(5 * 22050, dtype=np.float32), 22050)
    paths["broken"] = folder / "broken.wav"
    paths["broken"].write_bytes(b"this is not audio")
    return paths
