"""musicnn's VGG baseline (``MTT_vgg``, ``MSD_vgg``) in NumPy: inference on exported weights.

A port of ``vgg(x, is_training, num_classes, num_filters=128)`` in musicnn 0.1.0
(``musicnn/models.py``) with the TensorFlow-1 layer semantics it relies on:

* input ``(batch, 187 frames, 96 mel bands)``, batch-normalised as one channel;
* five blocks, each a 3 × 3 convolution of 128 filters with TensorFlow's ``same`` padding (one
  row and column of zeros around the map), ReLU, then batch norm, then a max pooling with
  ``valid`` padding: 4 × 1 with strides 2 × 2 (time × bands; so every other band is kept),
  2 × 2 / 2 × 2 three times, 4 × 4 / 4 × 4 last — the map shrinks 187 × 96 → 92 × 48 → 46 × 24
  → 23 × 12 → 11 × 6 → 2 × 1;
* the last pooled map flattened in TensorFlow's ``(time, band, channel)`` order (256 values: the
  **penultimate** embedding, musicnn's ``pool5``), a dense layer to the tag logits and a sigmoid.

Batch normalisation is in inference mode, ``gamma · (x − moving_mean) / √(moving_variance + ε)
+ β`` with TensorFlow's ε = 0.001; dropout is the identity. Each convolution is the sum of nine
matrix products, one per kernel tap, over shifted views of the padded map, so no im2col buffer
larger than the map itself is made.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from mirloop_musicnn.network import (
    BN_EPSILON,
    N_FRAMES,
    N_MELS,
    NetworkOutput,
    Weights,
    in_chunks,
    run_blocks,
)

#: Filters of every convolution (``vgg(..., num_filters=128)`` for both models).
FILTERS = 128
#: ``(pool, strides)`` of the max pooling after each block, as (time, bands).
POOLS: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = (
    ((4, 1), (2, 2)),
    ((2, 2), (2, 2)),
    ((2, 2), (2, 2)),
    ((2, 2), (2, 2)),
    ((4, 4), (4, 4)),
)


def _pooled_size(size: int, pool: int, stride: int) -> int:
    return (size - pool) // stride + 1


def _final_map() -> tuple[int, int]:
    time, bands = N_FRAMES, N_MELS
    for (pool_t, pool_f), (stride_t, stride_f) in POOLS:
        time, bands = _pooled_size(time, pool_t, stride_t), _pooled_size(bands, pool_f, stride_f)
    return time, bands


#: Size of the penultimate embedding: the flattened last map (2 frames × 1 band × 128 filters).
PENULTIMATE_UNITS = int(np.prod(_final_map())) * FILTERS


def _bn(index: int) -> str:
    return "batch_normalization" if index == 0 else f"batch_normalization_{index}"


def expected_shapes(n_tags: int) -> dict[str, tuple[int, ...]]:
    """Every array of an exported VGG model, by its TensorFlow variable name (``layer/variable``)."""
    shapes: dict[str, tuple[int, ...]] = {}
    for index, size in enumerate((1,) + (FILTERS,) * len(POOLS)):
        for variable in ("gamma", "beta", "moving_mean", "moving_variance"):
            shapes[f"{_bn(index)}/{variable}"] = (size,)
    for block in range(len(POOLS)):
        shapes[f"{block + 1}CNN/kernel"] = (3, 3, 1 if block == 0 else FILTERS, FILTERS)
        shapes[f"{block + 1}CNN/bias"] = (FILTERS,)
    shapes["dense/kernel"] = (PENULTIMATE_UNITS, n_tags)
    shapes["dense/bias"] = (n_tags,)
    return shapes


def forward(weights: Weights, patches: np.ndarray) -> NetworkOutput:
    """Run the network on log-mel ``patches`` ``(n, 187, 96)``; tag probabilities and embeddings."""
    return forward_blocks(weights, in_chunks(patches))


def forward_blocks(weights: Weights, blocks: Iterable[np.ndarray]) -> NetworkOutput:
    """:func:`forward` on patches given :data:`CHUNK` (or fewer) at a time."""
    n_tags = weights["dense/bias"].shape[0]
    return run_blocks(_forward_chunk, weights, blocks, n_tags=n_tags, n_embedding=PENULTIMATE_UNITS)


def _forward_chunk(w: Weights, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    maps = _batch_norm(w, 0, x[..., np.newaxis])  # (n, T, F, 1)
    for block, (pool, strides) in enumerate(POOLS):
        # a pool one band wide with a band stride keeps every stride-th band: only those are convolved
        step = strides[1] if pool[1] == 1 else 1
        convolved = _conv3x3(maps, w[f"{block + 1}CNN/kernel"], band_step=step)
        normed = _batch_norm(w, block + 1, np.maximum(convolved + w[f"{block + 1}CNN/bias"], 0.0))
        maps = _max_pool(normed, pool, (strides[0], 1) if step > 1 else strides)
    penultimate = maps.reshape(len(x), -1)  # TensorFlow's flatten of (n, time, band, channel)
    logits = penultimate @ w["dense/kernel"] + w["dense/bias"]
    probabilities = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
    return probabilities.astype(np.float32), penultimate.astype(np.float32)


def _conv3x3(x: np.ndarray, kernel: np.ndarray, *, band_step: int = 1) -> np.ndarray:
    """3 × 3 convolution of ``x`` ``(n, T, F, C)`` with ``same`` padding: ``(n, T, F, filters)``, or
    only every ``band_step``-th band of it. A one-channel input is unrolled into its nine taps (one
    product); a deeper one is the sum of nine products over shifted views."""
    n, t, f, c = x.shape
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    bands = len(range(0, f, band_step))
    shifts = [(dt, df) for dt in range(3) for df in range(3)]
    if c == 1:
        taps = np.stack([padded[:, dt : dt + t, df : df + f : band_step, 0] for dt, df in shifts], axis=-1)
        return (taps.reshape(-1, 9) @ kernel.reshape(9, -1)).reshape(n, t, bands, -1)
    out = np.zeros((n * t * bands, kernel.shape[-1]), np.float32)
    for dt, df in shifts:
        shifted = np.ascontiguousarray(padded[:, dt : dt + t, df : df + f : band_step, :]).reshape(-1, c)
        out += shifted @ kernel[dt, df]
    return out.reshape(n, t, bands, -1)


def _max_pool(x: np.ndarray, pool: tuple[int, int], strides: tuple[int, int]) -> np.ndarray:
    """Max pooling of ``x`` ``(n, T, F, C)`` with ``valid`` padding, as ``max_pooling2d``."""
    windows = sliding_window_view(x, pool, axis=(1, 2))[:, :: strides[0], :: strides[1]]
    return windows.max(axis=(-2, -1))


def _batch_norm(w: Weights, index: int, x: np.ndarray) -> np.ndarray:
    name = _bn(index)
    scale = w[f"{name}/gamma"] / np.sqrt(w[f"{name}/moving_variance"] + np.float32(BN_EPSILON))
    shift = w[f"{name}/beta"] - w[f"{name}/moving_mean"] * scale
    return (x * scale + shift).astype(np.float32)
