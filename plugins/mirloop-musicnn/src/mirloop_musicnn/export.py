"""Export the musicnn checkpoints to NumPy, once, offline, atomically (``mirloop-musicnn setup``).

1. Create (or reuse) the export environment with TensorFlow and musicnn
   (:mod:`mirloop_musicnn.environment`).
2. Compute the reference patches (:mod:`mirloop_musicnn.reference`) here and run
   ``worker/export_worker.py`` there: musicnn's own graph code, the checkpoint restored, every
   variable and the graph's outputs on the reference patches written to a staging folder.
3. Check the export here: every array the NumPy network needs, with its shape, and the NumPy
   network's outputs on the reference patches within :data:`TOLERANCE` of TensorFlow's.
4. Move the files into the weights folder (each with one rename), the sidecars last.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from mirloop.errors import MirloopError, PluginError

from mirloop_musicnn import environment
from mirloop_musicnn.architectures import architecture_of
from mirloop_musicnn.reference import PATCH_HOP_SECONDS, SECONDS, SEED, reference_patches
from mirloop_musicnn.weights import (
    MODELS,
    REFERENCE_FILE,
    SIDECAR_FORMAT,
    load_model,
    load_reference,
    sha256_of,
    weights_dir,
)

#: Largest absolute difference allowed between the NumPy network and TensorFlow.
TOLERANCE = 1e-4


def is_exported(folder: str | os.PathLike[str] | None = None, models: Sequence[str] = MODELS) -> bool:
    """Whether every model in ``folder`` loads and passes its checks."""
    try:
        for name in models:
            load_reference(folder, load_model(name, folder).sidecar)
    except MirloopError:
        return False
    return True


def export_weights(
    folder: str | os.PathLike[str] | None = None,
    *,
    venv: str | os.PathLike[str] | None = None,
    python: str | None = None,
    force: bool = False,
    models: Sequence[str] = MODELS,
) -> Path:
    """Export ``models`` into ``folder`` (default: the weights folder); the folder.

    Idempotent: valid weights already there are kept unless ``force``, and only the models
    missing or failing their checks are exported. The reference input already in the folder is
    kept when it holds the same patches (its checksum is in the sidecars of the models already
    there), so adding a model never invalidates the others.
    """
    root = weights_dir(folder)
    patches = reference_patches()
    kept_reference = not force and _same_reference(root / REFERENCE_FILE, patches.values)
    todo = [name for name in models if force or not kept_reference or not is_exported(root, [name])]
    if not todo:
        return root
    interpreter = environment.create(venv, python=python)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=root))
    try:
        reference = staging / REFERENCE_FILE
        with open(reference, "wb") as handle:
            np.savez(handle, patches=patches.values, starts=patches.starts)
        _run_worker(interpreter, reference, staging, todo)
        if kept_reference:
            reference = root / REFERENCE_FILE
        sidecars = {name: _checked_sidecar(name, staging, patches.values, reference) for name in todo}
        if not kept_reference:
            os.replace(reference, root / REFERENCE_FILE)
        for name in todo:
            os.replace(staging / f"{name}.npz", root / f"{name}.npz")
        for name, sidecar in sidecars.items():
            (staging / f"{name}.json").write_text(json.dumps(sidecar, indent=1) + "\n", encoding="utf-8")
            os.replace(staging / f"{name}.json", root / f"{name}.json")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return root


def _same_reference(path: Path, patches: np.ndarray) -> bool:
    """Whether the reference input at ``path`` holds exactly ``patches``."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return bool(np.array_equal(np.asarray(data["patches"]), patches))
    except (OSError, ValueError, KeyError):
        return False


def _run_worker(interpreter: Path, reference: Path, staging: Path, models: Sequence[str]) -> None:
    script = environment.WORKER_DIR / "export_worker.py"
    command = [str(interpreter), str(script), "--input", str(reference), "--output", str(staging), *models]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    result = subprocess.run(command, env={**env, "TF_CPP_MIN_LOG_LEVEL": "2"})
    if result.returncode != 0:
        raise PluginError(f"the musicnn export failed: `{' '.join(command)}` exited with status "
                          f"{result.returncode} (see its output above)")


def _checked_sidecar(name: str, staging: Path, patches: np.ndarray, reference: Path) -> dict[str, Any]:
    """The sidecar of the staged export of ``name``, after checking it against the NumPy network."""
    architecture = architecture_of(name)
    info = json.loads((staging / f"{name}.info.json").read_text(encoding="utf-8"))
    npz = staging / f"{name}.npz"
    with np.load(npz, allow_pickle=False) as data:
        arrays = {key: np.asarray(data[key], dtype=np.float32) for key in data.files}
    with np.load(staging / f"{name}.outputs.npz", allow_pickle=False) as data:
        tf_tags, tf_penultimate = np.asarray(data["tags"]), np.asarray(data["penultimate"])
    expected = architecture.expected_shapes(len(info["tags"]))
    shapes = {key: tuple(value.shape) for key, value in arrays.items()}
    if shapes != expected:
        differing = sorted(set(shapes.items()) ^ set(expected.items()))[:4]
        raise PluginError(f"musicnn's {name} graph does not have the {architecture.name} architecture this "
                          "plugin runs "
                          f"(differences: {differing}); the export is not used")
    ours = architecture.forward(arrays, patches)
    agreement = {
        "tags": float(np.max(np.abs(ours.tags - tf_tags))),
        "penultimate": float(np.max(np.abs(ours.penultimate - tf_penultimate))),
    }
    if max(agreement.values()) > TOLERANCE:
        raise PluginError(f"the NumPy {architecture.name} network differs from TensorFlow on the reference "
                          f"input by "
                          f"{agreement} (tolerance {TOLERANCE}); the export of {name} is not used")
    return {
        "format": SIDECAR_FORMAT,
        "model": name,
        "source": f"musicnn {info['musicnn_version']} (ISC license), checkpoint {info['checkpoint']}",
        "musicnn_version": info["musicnn_version"],
        "tensorflow_version": info["tensorflow_version"],
        "exported": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "tags": info["tags"],
        "weights": npz.name,
        "sha256": sha256_of(npz),
        "arrays": {key: list(shape) for key, shape in sorted(shapes.items())},
        "reference": {
            "input": REFERENCE_FILE,
            "input_sha256": sha256_of(reference),
            "signal": f"mirloop_musicnn.reference: {SECONDS:g} s, seed {SEED}, patches every "
                      f"{PATCH_HOP_SECONDS:g} s",
            "tags": np.round(tf_tags.astype(np.float64), 8).tolist(),
            "penultimate": np.round(tf_penultimate.astype(np.float64), 8).tolist(),
            "numpy_max_abs_difference": agreement,
        },
    }
