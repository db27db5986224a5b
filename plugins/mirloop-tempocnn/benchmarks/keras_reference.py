"""Keras's own outputs of tempo-cnn models on a seeded input, to check the NumPy interpreter against.

Run with a Python that has TensorFlow (2.15 with Keras 2 reads tempo-cnn's HDF5 files), e.g. the
musicnn export environment, then compare in mirloop's environment::

    ~/.cache/mirloop/musicnn-venv/bin/python benchmarks/keras_reference.py ~/.cache/mirloop/tempocnn-models \
        /tmp/keras-ref.npz fcn cnn deeptemp_k8 dt_maz_v_fold0
    python benchmarks/keras_reference.py --compare /tmp/keras-ref.npz
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np


def reference_input() -> np.ndarray:
    return np.random.default_rng(0).random((3, 40, 256, 1)).astype(np.float32)


def keras_outputs(models: Path, out: Path, names: list[str]) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from tensorflow.keras.models import load_model  # type: ignore[import-not-found]

    x = reference_input()
    np.savez(
        out,
        **{name: load_model(models / f"{name}.h5", compile=False).predict(x, verbose=0) for name in names},
    )


def compare(reference: Path) -> None:
    from mirloop_tempocnn.models import load_model

    saved = np.load(reference)
    for name in saved.files:
        ours = load_model(name)(reference_input())
        same = bool((ours.argmax(axis=1) == saved[name].argmax(axis=1)).all())
        print(
            f"{name}: largest difference {float(np.abs(ours - saved[name]).max()):.1e}, same arg-max: {same}"
        )


if __name__ == "__main__":
    if sys.argv[1] == "--compare":
        compare(Path(sys.argv[2]))
    else:
        keras_outputs(Path(sys.argv[1]).expanduser(), Path(sys.argv[2]), sys.argv[3:])
