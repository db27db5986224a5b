"""Synthetic labelled windows with a known hierarchy, for classifier tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from mirloop.classify.windows import LabeledWindows
from mirloop.types.features import FEATURE_NAMES

#: (genre, subgenre, mood, sentiment, valence, momentum)
SYNTHETIC_DESCRIPTORS = [
    ("cinematic", "ambient", "calm", "neutral", 1, 0),
    ("cinematic", "ambient", "dark", "negative", 0, 1),
    ("cinematic", "percussion", "primal", "neutral", 1, 3),
    ("cinematic", "percussion", "tense", "negative", 0, 4),
    ("rock", "indie", "bright", "positive", 2, 3),
    ("rock", "indie", "dark", "negative", 0, 2),
    ("rock", "punk", "angry", "negative", 0, 4),
    ("folk", "acoustic", "bright", "positive", 2, 1),
    ("folk", "acoustic", "calm", "neutral", 1, 0),
]
PCA_INPUT_DIM = 8


def synthetic_windows(
    renders_per_descriptor: int = 6, windows_per_render: int = 8, *, spread: float = 0.35, seed: int = 0
) -> LabeledWindows:
    """Windows whose features cluster by descriptor; each render adds its own offset.

    ``spread`` scales the per-render offset and window noise relative to the distance between
    descriptor centres (1 per feature), so larger values make the problem harder.
    """
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 1.0, (len(SYNTHETIC_DESCRIPTORS), len(FEATURE_NAMES)))
    pca_centres = rng.normal(0.0, 1.0, (len(SYNTHETIC_DESCRIPTORS), PCA_INPUT_DIM))
    values, pca_input, groups = [], [], []
    labels: dict[str, list[str]] = {
        k: [] for k in ("genre", "subgenre", "mood", "sentiment", "valence", "momentum", "descriptor")
    }
    for d, (genre, subgenre, mood, sentiment, valence, momentum) in enumerate(SYNTHETIC_DESCRIPTORS):
        for r in range(renders_per_descriptor):
            offset = rng.normal(0.0, spread, len(FEATURE_NAMES))
            pca_offset = rng.normal(0.0, spread, PCA_INPUT_DIM)
            for _ in range(windows_per_render):
                values.append(centres[d] + offset + rng.normal(0.0, spread / 2, len(FEATURE_NAMES)))
                pca_input.append(pca_centres[d] + pca_offset + rng.normal(0.0, spread / 2, PCA_INPUT_DIM))
                groups.append(f"{genre}_{subgenre}_{mood}-{r:03d}")
                for key, value in zip(
                    labels,
                    (genre, subgenre, mood, sentiment, valence, momentum, f"{genre}_{subgenre}_{mood}"),
                ):
                    labels[key].append(str(value))
    return LabeledWindows(
        FEATURE_NAMES,
        np.array(values),
        {k: np.array(v) for k, v in labels.items()},
        np.array(groups),
        np.array(pca_input, dtype=np.float32),
    )


def write_synthetic_dataset(
    folder: Path,
    windows: LabeledWindows,
    *,
    feature_backend: str = "librosa",
    generation: dict[str, Any] | None = None,
) -> Path:
    """A dataset folder (``features.parquet`` + ``dataset.json``, with ``generation`` as the
    generation settings) holding ``windows``."""
    import pandas as pd

    from mirloop.classify.feature_table import FEATURES_PARQUET, PCA_INPUT_PREFIX, DatasetInfo

    folder.mkdir(parents=True, exist_ok=True)
    columns: dict[str, object] = {"render_id": windows.groups}
    columns.update({key: value for key, value in windows.labels.items()})
    columns.update({name: windows.values[:, i] for i, name in enumerate(windows.feature_names)})
    assert windows.pca_input is not None
    columns.update(
        {f"{PCA_INPUT_PREFIX}{i:03d}": windows.pca_input[:, i] for i in range(windows.pca_input.shape[1])}
    )
    pd.DataFrame(columns).to_parquet(folder / FEATURES_PARQUET, index=False)
    DatasetInfo(
        feature_backend=feature_backend,
        feature_names=windows.feature_names,
        generation=dict(generation or {}),
    ).write(folder)
    return folder
