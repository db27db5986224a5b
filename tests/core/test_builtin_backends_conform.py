"""Every backend mirloop ships keeps its stage's contract (``mirloop.testing.check_backend``).

Parametrised over the registry, so a new built-in backend is checked without touching this file.
Classifiers get a small model trained here on features of generated music.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mirloop.plugins import build_registry
from mirloop.testing import check_backend

BUILTIN = sorted(
    {(info.stage, info.name) for table in build_registry().backends.values() for info in table.values()
     if info.dist == "mirloop"}
)
#: Two descriptors (genre, subgenre, mood, sentiment, valence, momentum) and the texture rendered for each.
TRAINING_DESCRIPTORS = {
    "A": ("rock", "indie", "bright", "positive", "2", "3"),
    "B": ("cinematic", "ambient", "calm", "neutral", "1", "0"),
}


def test_the_builtin_plugins_load_without_failures() -> None:
    failures = [f"{f.plugin}: {f.error}" for f in build_registry().failures if f.dist == "mirloop"]
    assert failures == []


def test_there_are_builtin_backends_to_check() -> None:
    assert {stage for stage, _ in BUILTIN} >= {"features", "tempo", "key", "segmenter", "renderer"}


@pytest.mark.parametrize(("stage", "name"), BUILTIN, ids=[f"{stage}-{name}" for stage, name in BUILTIN])
def test_builtin_backend_conforms(stage: str, name: str, tmp_path: Path) -> None:
    options = trained_model_options(name, tmp_path) if stage == "classifier" else {}
    if (stage, name) == ("renderer", "amper"):  # the Amper client renders on a real server over loopback
        pytest.importorskip("fastapi", reason="the server needs the 'serve' extra")
        from mirloop.serve.testing import ServerProcess

        with ServerProcess(tmp_path / "server") as server:
            check_backend(stage, name, url=server.url)
        return
    check_backend(stage, name, **options)


def trained_model_options(kind: str, folder: Path) -> dict[str, Any]:
    """``{"model": path}`` of a ``kind`` model trained on default features of generated music."""
    from mirloop.classify.fit import fit_model
    from mirloop.classify.hierarchy import ALL_TARGETS
    from mirloop.classify.storage import save_model
    from mirloop.classify.windows import LabeledWindows
    from mirloop.config import DEFAULT_BACKENDS
    from mirloop.signal import TrackContext
    from mirloop.testing.signals import spliced_sections

    extractor = build_registry().create("features", DEFAULT_BACKENDS["features"])
    values, pca_input, groups = [], [], []
    labels: dict[str, list[str]] = {target: [] for target in ALL_TARGETS}
    for render in range(3):
        for texture, descriptor in TRAINING_DESCRIPTORS.items():
            audio = spliced_sections(texture, section_seconds=16.0, seed=render).audio
            features = extractor.extract(TrackContext(audio))
            values.append(features.values)
            pca_input.append(features.pca_input)
            groups += [f"{texture}-{render}"] * features.grid.n_windows
            named = dict(zip(("genre", "subgenre", "mood", "sentiment", "valence", "momentum"), descriptor))
            named["descriptor"] = "_".join(descriptor[:3])
            for target in ALL_TARGETS:
                labels[target] += [named[target]] * features.grid.n_windows
    windows = LabeledWindows(
        features.names,
        np.vstack(values),
        {target: np.array(column) for target, column in labels.items()},
        np.array(groups),
        None if pca_input[0] is None else np.vstack(pca_input),
    )
    hyperparameters = {"n_neighbors": 3} if kind == "knn" else {"hidden_layer_sizes": [8], "max_iter": 300}
    model = fit_model(windows, kind, hyperparameters=hyperparameters)
    return {"model": str(save_model(model, folder / f"{kind}-model"))}
