"""Random weights in the exported format, for tests and offline smoke runs without TensorFlow.

:func:`write_synthetic_weights` writes what ``mirloop-musicnn setup`` writes — ``<model>.npz``,
``<model>.json`` and ``reference.npz`` — for every model, with seeded random arrays of the
right shapes and reference outputs from the NumPy network itself (the sidecar says
``"tensorflow_version": "none (synthetic)"``). The tags are meaningless; the files exercise the
same loading, checking and feature code as the exported models.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from mirloop_musicnn.architectures import architecture_of
from mirloop_musicnn.reference import reference_patches
from mirloop_musicnn.tags import MODEL_TAGS
from mirloop_musicnn.weights import MODELS, REFERENCE_FILE, SIDECAR_FORMAT, sha256_of


def synthetic_arrays(n_tags: int, *, seed: int = 0, model: str = "MTT_musicnn") -> dict[str, np.ndarray]:
    """Seeded arrays of every shape ``model``'s network needs (positive moving variances)."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for key, shape in architecture_of(model).expected_shapes(n_tags).items():
        values = rng.standard_normal(shape) * (0.05 if key.endswith("kernel") else 0.2)
        if key.endswith("moving_variance"):
            values = np.abs(values) + 0.5
        elif key.endswith("gamma"):
            values = values + 1.0
        arrays[key] = values.astype(np.float32)
    return arrays


def write_synthetic_weights(folder: str | os.PathLike[str], *, seed: int = 0) -> Path:
    """Write synthetic weights for every model into ``folder``; the folder."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    patches = reference_patches()
    with open(root / REFERENCE_FILE, "wb") as handle:
        np.savez(handle, patches=patches.values, starts=patches.starts)
    for offset, name in enumerate(MODELS):
        tags = MODEL_TAGS[name]
        arrays = synthetic_arrays(len(tags), seed=seed + offset, model=name)
        with open(root / f"{name}.npz", "wb") as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]
        output = architecture_of(name).forward(arrays, patches.values)
        sidecar = {
            "format": SIDECAR_FORMAT,
            "model": name,
            "source": "synthetic (mirloop_musicnn.synthetic)",
            "musicnn_version": "none (synthetic)",
            "tensorflow_version": "none (synthetic)",
            "tags": list(tags),
            "weights": f"{name}.npz",
            "sha256": sha256_of(root / f"{name}.npz"),
            "arrays": {key: list(value.shape) for key, value in sorted(arrays.items())},
            "reference": {
                "input": REFERENCE_FILE,
                "input_sha256": sha256_of(root / REFERENCE_FILE),
                "tags": output.tags.astype(np.float64).tolist(),
                "penultimate": output.penultimate.astype(np.float64).tolist(),
            },
        }
        (root / f"{name}.json").write_text(json.dumps(sidecar) + "\n", encoding="utf-8")
    return root
