"""The musicnn network (Pons & Serra, 2019) in NumPy: inference on exported weights.

A line-by-line port of ``build_musicnn`` in musicnn 0.1.0 (``musicnn/models.py``) with the
TensorFlow-1 layer semantics it relies on:

* input ``(batch, 187 frames, 96 mel bands)``, batch-normalised as one channel;
* front end: two *timbral* convolutions (7 × 38 and 7 × 67 mel bands, 204 filters each) on the
  input padded by 3 frames at both ends, and three *temporal* convolutions (128, 64, 32 frames ×
  1 band, 51 filters each) with TensorFlow's ``same`` padding (the odd extra frame goes at the
  end: ``(k - 1) // 2`` before, ``k // 2`` after); every convolution is ReLU, then batch norm,
  then a max over all mel bands; the five maps are concatenated to 561 channels per frame;
* mid end: three 7-frame convolutions (64 filters) over all channels, each on its input padded by
  3 frames, ReLU then batch norm, the second and third with a residual connection; front-end
  and mid-end maps are concatenated (561 + 3 × 64 = 753 channels);
* back end: max and mean over time, flattened *interleaved* (``max_0, mean_0, max_1, …``, as
  ``tf.layers.flatten`` of the ``(753, 2)`` pair does), batch norm, a dense ReLU layer of 200
  units, batch norm (the **penultimate** embedding), a dense layer to the tag logits and a
  sigmoid.

Batch normalisation is in inference mode, ``gamma · (x − moving_mean) / √(moving_variance + ε)
+ β`` with TensorFlow's ε = 0.001; dropout is the identity. Convolutions are unrolled into
matrix products (im2col over strided views), all patches of a track in a few large batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

import numpy as np
from attrs import frozen
from mirloop.errors import InvalidValueError
from numpy.lib.stride_tricks import sliding_window_view

#: Patch length in spectrogram frames (3 s at 16 kHz, hop 256) and mel bands, as trained.
N_FRAMES, N_MELS = 187, 96
#: Batch-normalisation epsilon of ``tf.compat.v1.layers.batch_normalization``.
BN_EPSILON = 1e-3
#: Filters and kernels of ``build_musicnn(num_filt_frontend=1.6, num_filt_midend=64, num_units_backend=200)``.
TIMBRAL_FILTERS, TEMPORAL_FILTERS, MIDEND_FILTERS, PENULTIMATE_UNITS = 204, 51, 64, 200
TIMBRAL_WIDTHS = (int(0.4 * N_MELS), int(0.7 * N_MELS))  # 38 and 67 mel bands
TEMPORAL_LENGTHS = (128, 64, 32)
FRONTEND_CHANNELS = 2 * TIMBRAL_FILTERS + 3 * TEMPORAL_FILTERS  # 561
MIDEND_CHANNELS = FRONTEND_CHANNELS + 3 * MIDEND_FILTERS  # 753
#: Patches per matrix product: bounds the im2col buffers to about 100 MB.
CHUNK = 8

Weights = Mapping[str, np.ndarray]


@frozen
class NetworkOutput:
    """Per patch: tag probabilities ``(n, n_tags)`` and the penultimate embedding ``(n, 200)``."""

    tags: np.ndarray
    penultimate: np.ndarray


def _conv(index: int) -> str:
    return "conv2d" if index == 0 else f"conv2d_{index}"


def _bn(index: int) -> str:
    return "batch_normalization" if index == 0 else f"batch_normalization_{index}"


def expected_shapes(n_tags: int) -> dict[str, tuple[int, ...]]:
    """Every array of an exported musicnn model, by its TensorFlow variable name (``layer/variable``)."""
    shapes: dict[str, tuple[int, ...]] = {}

    def bn(index: int, size: int) -> None:
        for variable in ("gamma", "beta", "moving_mean", "moving_variance"):
            shapes[f"{_bn(index)}/{variable}"] = (size,)

    def conv(index: int, kernel: tuple[int, ...]) -> None:
        shapes[f"{_conv(index)}/kernel"] = kernel
        shapes[f"{_conv(index)}/bias"] = (kernel[-1],)

    bn(0, 1)
    for i, width in enumerate(TIMBRAL_WIDTHS):
        conv(i, (7, width, 1, TIMBRAL_FILTERS))
        bn(i + 1, TIMBRAL_FILTERS)
    for i, length in enumerate(TEMPORAL_LENGTHS):
        conv(i + 2, (length, 1, 1, TEMPORAL_FILTERS))
        bn(i + 3, TEMPORAL_FILTERS)
    for i, channels in enumerate((FRONTEND_CHANNELS, MIDEND_FILTERS, MIDEND_FILTERS)):
        conv(i + 5, (7, channels, 1, MIDEND_FILTERS))
        bn(i + 6, MIDEND_FILTERS)
    bn(9, 2 * MIDEND_CHANNELS)
    shapes["dense/kernel"] = (2 * MIDEND_CHANNELS, PENULTIMATE_UNITS)
    shapes["dense/bias"] = (PENULTIMATE_UNITS,)
    bn(10, PENULTIMATE_UNITS)
    shapes["dense_1/kernel"] = (PENULTIMATE_UNITS, n_tags)
    shapes["dense_1/bias"] = (n_tags,)
    return shapes


def check_block(patches: np.ndarray) -> np.ndarray:
    """``patches`` as float32, refused unless shaped ``(n, 187, 96)``."""
    x = np.asarray(patches, dtype=np.float32)
    if x.ndim != 3 or x.shape[1:] != (N_FRAMES, N_MELS):
        raise InvalidValueError(f"patches must have shape (n, {N_FRAMES}, {N_MELS}), got {x.shape}")
    return x


def forward(weights: Weights, patches: np.ndarray) -> NetworkOutput:
    """Run the network on log-mel ``patches`` ``(n, 187, 96)``; tag probabilities and embeddings."""
    return forward_blocks(weights, in_chunks(patches))


def forward_blocks(weights: Weights, blocks: Iterable[np.ndarray]) -> NetworkOutput:
    """:func:`forward` on patches given :data:`CHUNK` (or fewer) at a time, so the whole input
    never has to be in memory at once; the outputs are the same as :func:`forward`'s."""
    n_tags = weights["dense_1/bias"].shape[0]
    return run_blocks(_forward_chunk, weights, blocks, n_tags=n_tags, n_embedding=PENULTIMATE_UNITS)


def in_chunks(patches: np.ndarray) -> Iterator[np.ndarray]:
    """``patches`` (checked) :data:`CHUNK` at a time."""
    x = check_block(patches)
    return (x[first : first + CHUNK] for first in range(0, len(x), CHUNK))


#: A network's pass over one chunk of patches: ``(weights, x)`` -> (tag probabilities, embeddings).
ChunkPass = Callable[[Weights, np.ndarray], tuple[np.ndarray, np.ndarray]]


def run_blocks(
    chunk_pass: ChunkPass, weights: Weights, blocks: Iterable[np.ndarray], *, n_tags: int, n_embedding: int
) -> NetworkOutput:
    """``chunk_pass`` over every block of patches (each checked), the outputs concatenated; empty
    outputs (``n_tags`` tags, ``n_embedding`` embedding values) when there is no patch."""
    tags, embeddings = [], []
    for block in blocks:
        x = check_block(block)
        if len(x):
            t, e = chunk_pass(weights, x)
            tags.append(t)
            embeddings.append(e)
    if not tags:
        return NetworkOutput(np.zeros((0, n_tags), np.float32), np.zeros((0, n_embedding), np.float32))
    return NetworkOutput(np.concatenate(tags), np.concatenate(embeddings))


def _forward_chunk(w: Weights, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = _batch_norm(w, 0, x)  # (n, T, F), one channel
    timbral_input = _pad_time(x, 3, 3)
    maps = [
        _frontend_block(w, i, i + 1, sliding_window_view(timbral_input, (7, width), axis=(1, 2)))
        for i, width in enumerate(TIMBRAL_WIDTHS)
    ]
    for i, length in enumerate(TEMPORAL_LENGTHS):
        padded = _pad_time(x, (length - 1) // 2, length // 2)  # TensorFlow "same"
        maps.append(_frontend_block(w, i + 2, i + 3, sliding_window_view(padded, (length, 1), axis=(1, 2))))
    frontend = np.concatenate(maps, axis=2)  # (n, T, 561)
    mid1 = _midend_block(w, 5, 6, frontend)
    mid2 = _midend_block(w, 6, 7, mid1) + mid1
    mid3 = _midend_block(w, 7, 8, mid2) + mid2
    features = np.concatenate([frontend, mid1, mid2, mid3], axis=2)  # (n, T, 753)
    pooled = np.stack([features.max(axis=1), features.mean(axis=1)], axis=2).reshape(len(x), -1)
    pooled = _batch_norm(w, 9, pooled)
    hidden = np.maximum(pooled @ w["dense/kernel"] + w["dense/bias"], 0.0)
    penultimate = _batch_norm(w, 10, hidden)
    logits = penultimate @ w["dense_1/kernel"] + w["dense_1/bias"]
    probabilities = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
    return probabilities.astype(np.float32), penultimate.astype(np.float32)


def _frontend_block(w: Weights, conv: int, bn: int, windows: np.ndarray) -> np.ndarray:
    """Convolution (``windows``: ``(n, T, F', kh, kw)``) → ReLU → batch norm → max over bands.

    Bias, ReLU and batch norm are monotonic per channel (increasing, or decreasing where the
    batch-norm scale is negative), so they commute with the max over bands once the max is
    taken of the raw products where the scale is positive and the min where it is negative:
    the large ``(n·T·F', filters)`` array is only multiplied and reduced.
    """
    kernel = w[f"{_conv(conv)}/kernel"]
    n, t, f = windows.shape[:3]
    columns = windows.reshape(n * t * f, -1)
    products = (columns @ kernel.reshape(-1, kernel.shape[-1])).reshape(n, t, f, -1)
    scale, _ = _bn_affine(w, bn)
    extreme = np.where(scale >= 0, products.max(axis=2), products.min(axis=2))
    return _batch_norm(w, bn, np.maximum(extreme + w[f"{_conv(conv)}/bias"], 0.0))


def _midend_block(w: Weights, conv: int, bn: int, x: np.ndarray) -> np.ndarray:
    """7-frame convolution over all channels of ``x`` ``(n, T, C)`` padded by 3 frames → ReLU → batch norm."""
    kernel = w[f"{_conv(conv)}/kernel"]
    n, t, c = x.shape
    windows = sliding_window_view(_pad_time(x, 3, 3), 7, axis=1)  # (n, T, C, 7)
    columns = windows.transpose(0, 1, 3, 2).reshape(n * t, 7 * c)
    out = columns @ kernel.reshape(7 * c, -1) + w[f"{_conv(conv)}/bias"]
    return _batch_norm(w, bn, np.maximum(out, 0.0)).reshape(n, t, -1)


def _pad_time(x: np.ndarray, before: int, after: int) -> np.ndarray:
    widths = [(0, 0)] * x.ndim
    widths[1] = (before, after)
    return np.pad(x, widths)


def _bn_affine(w: Weights, index: int) -> tuple[np.ndarray, np.ndarray]:
    """Scale and shift of batch norm ``index`` in inference mode."""
    name = _bn(index)
    scale = w[f"{name}/gamma"] / np.sqrt(w[f"{name}/moving_variance"] + np.float32(BN_EPSILON))
    return scale, w[f"{name}/beta"] - w[f"{name}/moving_mean"] * scale


def _batch_norm(w: Weights, index: int, x: np.ndarray) -> np.ndarray:
    scale, shift = _bn_affine(w, index)
    return (x * scale + shift).astype(np.float32)
