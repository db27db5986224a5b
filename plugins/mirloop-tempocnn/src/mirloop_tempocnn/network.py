"""A Keras functional model from an HDF5 file, run in NumPy.

tempo-cnn ships its models as Keras 2 HDF5 files: ``model_config`` (the layer graph, JSON) and
``model_weights/<layer>/<layer>/<weight>:0``. :class:`KerasGraph` reads both with ``h5py`` and
evaluates the graph with TensorFlow's inference semantics for the layers those models use:
``InputLayer``, ``BatchNormalization`` (moving statistics), ``Conv2D`` (``same``/``valid``
padding, dilation, channels last), ``MaxPooling2D``/``AveragePooling2D`` (``valid``),
``GlobalAveragePooling2D``, ``Concatenate``, ``Flatten``, ``Dense``, ``Dropout`` (identity at
inference) and ``Activation``; activations ``linear``, ``relu``, ``elu`` and ``softmax``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from attrs import frozen
from mirloop.errors import ModelError

#: Layer classes the interpreter knows.
LAYERS = (
    "InputLayer",
    "BatchNormalization",
    "Conv2D",
    "MaxPooling2D",
    "AveragePooling2D",
    "GlobalAveragePooling2D",
    "Concatenate",
    "Flatten",
    "Dense",
    "Dropout",
    "Activation",
)


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))),
    "softmax": _softmax,
}


@frozen(eq=False)
class Layer:
    """One node of the graph: its class, configuration, inputs (layer names) and weights."""

    name: str
    kind: str
    config: dict[str, Any]
    inputs: tuple[str, ...]
    weights: dict[str, np.ndarray]


@frozen(eq=False)
class KerasGraph:
    """A functional model's layers in topological order, its input and output layer names."""

    layers: tuple[Layer, ...]
    input_name: str
    output_name: str

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The output for a batch ``x`` (float32, shaped like the model's input)."""
        values: dict[str, np.ndarray] = {}
        for layer in self.layers:
            if layer.kind == "InputLayer":
                values[layer.name] = np.asarray(x, dtype=np.float32)
                continue
            args = [values[name] for name in layer.inputs]
            values[layer.name] = _apply(layer, args)
        return values[self.output_name]


def load_graph(path: Path) -> KerasGraph:
    """The graph of a Keras HDF5 model file; a :class:`ModelError` when it cannot be run here."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            config = json.loads(_text(f.attrs["model_config"]))
            weights = {
                name: {k: np.asarray(v, dtype=np.float32) for k, v in _layer_weights(f, name).items()}
                for name in f["model_weights"]
            }
    except (OSError, KeyError, ValueError) as exc:
        raise ModelError(
            f"{path}: not a readable Keras HDF5 model ({exc}); run mirloop-tempocnn setup --force"
        ) from exc
    if config.get("class_name") not in ("Functional", "Model"):
        raise ModelError(f"{path}: a {config.get('class_name')} model, not a functional one")
    layers = []
    for spec in config["config"]["layers"]:
        kind, name = spec["class_name"], spec["config"]["name"]
        if kind not in LAYERS:
            raise ModelError(f"{path}: layer {name!r} is a {kind}, which this interpreter cannot run")
        inputs = tuple(node[0] for node in spec["inbound_nodes"][0]) if spec.get("inbound_nodes") else ()
        layers.append(Layer(name, kind, spec["config"], inputs, weights.get(name, {})))
    (input_name,) = (i[0] for i in config["config"]["input_layers"])
    (output_name,) = (o[0] for o in config["config"]["output_layers"])
    graph = KerasGraph(tuple(layers), input_name, output_name)
    check_weights(graph, path)
    return graph


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _layer_weights(f: Any, name: str) -> dict[str, Any]:
    """``{"kernel": array, "bias": array, …}`` of one layer (Keras 2 stores them under ``name/name/``)."""
    group = f["model_weights"][name]
    found: dict[str, Any] = {}

    def visit(key: str, item: Any) -> None:
        if hasattr(item, "shape"):
            found[key.rsplit("/", 1)[-1].split(":")[0]] = item[()]

    group.visititems(visit)
    return found


#: Weight names each layer class needs.
_NEEDED = {
    "Conv2D": ("kernel", "bias"),
    "Dense": ("kernel", "bias"),
    "BatchNormalization": ("gamma", "beta", "moving_mean", "moving_variance"),
}


def check_weights(graph: KerasGraph, path: Path) -> None:
    """Refuse a graph with a missing or non-finite weight (an incomplete or damaged file)."""
    for layer in graph.layers:
        needed = list(_NEEDED.get(layer.kind, ()))
        if layer.kind == "BatchNormalization":
            needed = [
                n for n in needed if layer.config.get({"gamma": "scale", "beta": "center"}.get(n, ""), True)
            ]
        if layer.kind in ("Conv2D", "Dense") and not layer.config.get("use_bias", True):
            needed.remove("bias")
        missing = [n for n in needed if n not in layer.weights]
        if missing:
            raise ModelError(
                f"{path}: layer {layer.name!r} lacks {', '.join(missing)}; run mirloop-tempocnn setup --force"
            )
        for name, array in layer.weights.items():
            if not np.all(np.isfinite(array)):
                raise ModelError(
                    f"{path}: layer {layer.name!r} weight {name} has non-finite values; "
                    "run mirloop-tempocnn setup --force"
                )


def _apply(layer: Layer, args: list[np.ndarray]) -> np.ndarray:
    c, w = layer.config, layer.weights
    if layer.kind == "BatchNormalization":
        (x,) = args
        axis = c["axis"][0] if isinstance(c["axis"], list) else c["axis"]
        if axis not in (-1, x.ndim - 1):
            raise ModelError(f"layer {layer.name!r}: batch normalisation over axis {axis} is not supported")
        scale = w.get("gamma", 1.0) / np.sqrt(w["moving_variance"] + c["epsilon"])
        return ((x - w["moving_mean"]) * scale + w.get("beta", 0.0)).astype(np.float32)
    if layer.kind == "Conv2D":
        (x,) = args
        y = conv2d(
            x,
            w["kernel"],
            dilation=tuple(c["dilation_rate"]),
            padding=c["padding"],
            strides=tuple(c["strides"]),
        )
        if c.get("use_bias", True):
            y = y + w["bias"]
        return ACTIVATIONS[c["activation"]](y).astype(np.float32)
    if layer.kind in ("MaxPooling2D", "AveragePooling2D"):
        (x,) = args
        if c["padding"] != "valid":
            raise ModelError(f"layer {layer.name!r}: only 'valid' pooling is supported")
        return pool2d(
            x,
            tuple(c["pool_size"]),
            tuple(c["strides"] or c["pool_size"]),
            np.max if layer.kind == "MaxPooling2D" else np.mean,
        )
    if layer.kind == "GlobalAveragePooling2D":
        return args[0].mean(axis=(1, 2))
    if layer.kind == "Concatenate":
        return np.concatenate(args, axis=c.get("axis", -1))
    if layer.kind == "Flatten":
        return args[0].reshape(len(args[0]), -1)
    if layer.kind == "Dense":
        y = args[0] @ w["kernel"]
        if c.get("use_bias", True):
            y = y + w["bias"]
        return ACTIVATIONS[c["activation"]](y).astype(np.float32)
    if layer.kind == "Activation":
        return ACTIVATIONS[c["activation"]](args[0]).astype(np.float32)
    return args[0]  # Dropout: identity at inference


def conv2d(
    x: np.ndarray,
    kernel: np.ndarray,
    *,
    dilation: tuple[int, int] = (1, 1),
    padding: str = "same",
    strides: tuple[int, int] = (1, 1),
) -> np.ndarray:
    """TensorFlow's ``conv2d`` (NHWC input, HWIO kernel): a sum of one matrix product per kernel tap."""
    if strides != (1, 1):
        raise ModelError("only unit strides are supported in Conv2D")
    kh, kw, _, cout = kernel.shape
    dh, dw = dilation
    n, h, width, _ = x.shape
    span_h, span_w = (kh - 1) * dh, (kw - 1) * dw
    if padding == "same":
        top, left = span_h // 2, span_w // 2
        x = np.pad(x, ((0, 0), (top, span_h - top), (left, span_w - left), (0, 0)))
        out_h, out_w = h, width
    elif padding == "valid":
        out_h, out_w = h - span_h, width - span_w
    else:
        raise ModelError(f"Conv2D padding {padding!r} is not supported")
    out = np.zeros((n, out_h, out_w, cout), dtype=np.float32)
    for i in range(kh):
        for j in range(kw):
            tap = x[:, i * dh : i * dh + out_h, j * dw : j * dw + out_w, :]
            out += tap @ kernel[i, j]
    return out


def pool2d(x: np.ndarray, size: tuple[int, int], strides: tuple[int, int], reduce: Any) -> np.ndarray:
    """``valid`` 2-D pooling of NHWC ``x`` with ``reduce`` (``np.max`` or ``np.mean``)."""
    (ph, pw), (sh, sw) = size, strides
    _, h, w, _ = x.shape
    out_h, out_w = (h - ph) // sh + 1, (w - pw) // sw + 1
    stacked = np.stack(
        [
            x[:, i : i + sh * (out_h - 1) + 1 : sh, j : j + sw * (out_w - 1) + 1 : sw, :]
            for i in range(ph)
            for j in range(pw)
        ]
    )
    return np.asarray(reduce(stacked, axis=0), dtype=np.float32)
