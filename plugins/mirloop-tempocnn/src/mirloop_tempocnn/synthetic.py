"""Tiny generated Keras model files and tempocnn-shaped wheels, for tests (random weights, right layout)."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np


def write_keras_h5(
    path: Path, layers: list[dict[str, Any]], weights: dict[str, dict[str, np.ndarray]]
) -> Path:
    """A Keras 2 HDF5 model file: ``model_config`` and ``model_weights/<layer>/<layer>/<name>:0``."""
    import h5py

    config = {
        "class_name": "Functional",
        "config": {
            "layers": layers,
            "input_layers": [[layers[0]["config"]["name"], 0, 0]],
            "output_layers": [[layers[-1]["config"]["name"], 0, 0]],
        },
    }
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(config)
        group = f.create_group("model_weights")
        for layer in layers:
            name = layer["config"]["name"]
            inner = group.create_group(name).create_group(name)
            for key, value in weights.get(name, {}).items():
                inner.create_dataset(f"{key}:0", data=value)
    return path


def layer(kind: str, name: str, inputs: list[str], **config: Any) -> dict[str, Any]:
    inbound = [[[i, 0, 0, {}] for i in inputs]] if inputs else []
    return {"class_name": kind, "config": {"name": name, **config}, "inbound_nodes": inbound}


def tiny_model(path: Path, seed: int = 0) -> Path:
    """Input → batch norm → dilated 'same' conv (ELU) → 2×1 max pool → global average → softmax."""
    rng = np.random.default_rng(seed)
    layers = [
        layer("InputLayer", "input", []),
        layer("BatchNormalization", "BN0", ["input"], axis=[3], epsilon=0.001),
        layer(
            "Conv2D",
            "Conv1",
            ["BN0"],
            filters=4,
            kernel_size=[1, 3],
            strides=[1, 1],
            padding="same",
            activation="elu",
            use_bias=True,
            dilation_rate=[1, 2],
        ),
        layer("MaxPooling2D", "Pool", ["Conv1"], pool_size=[2, 1], strides=[2, 1], padding="valid"),
        layer("GlobalAveragePooling2D", "GAP", ["Pool"]),
        layer("Activation", "Soft", ["GAP"], activation="softmax"),
    ]
    weights = {
        "BN0": {
            "gamma": np.ones(1, "f4"),
            "beta": np.zeros(1, "f4"),
            "moving_mean": np.zeros(1, "f4"),
            "moving_variance": np.ones(1, "f4") - 0.001,
        },
        "Conv1": {"kernel": rng.normal(size=(1, 3, 1, 4)).astype("f4"), "bias": np.zeros(4, "f4")},
    }
    return write_keras_h5(path, layers, weights)


def tiny_wheel(folder: Path, models: dict[str, Path], *, break_record: bool = False) -> Path:
    """A tempocnn-shaped wheel holding ``models`` with a RECORD of their SHA-256 digests."""
    wheel = folder / "tempocnn-0.0.8-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(wheel, "w") as z:
        for name, path in models.items():
            data = path.read_bytes()
            z.writestr(f"tempocnn/models/{name}.h5", data)
            digest = hashlib.sha256(data if not break_record else data + b"x").digest()
            record.append(
                f"tempocnn/models/{name}.h5,sha256={base64.urlsafe_b64encode(digest).decode().rstrip('=')},"
                f"{len(data)}"
            )
        z.writestr("tempocnn-0.0.8.dist-info/LICENSE", "GNU AFFERO GENERAL PUBLIC LICENSE\n")
        z.writestr("tempocnn-0.0.8.dist-info/RECORD", "\n".join(record) + "\n")
    return wheel
