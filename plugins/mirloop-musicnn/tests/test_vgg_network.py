"""The NumPy VGG network (MTT_vgg, MSD_vgg): TensorFlow's layer semantics, on synthetic weights.

Its agreement with TensorFlow on the reference input is checked for every exported model by
``test_musicnn_network.py`` (it needs ``mirloop-musicnn setup``); these tests need no TensorFlow.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mirloop_musicnn import vgg_network
from mirloop_musicnn.network import BN_EPSILON, N_FRAMES, N_MELS
from mirloop_musicnn.synthetic import synthetic_arrays
from mirloop_musicnn.vgg_network import PENULTIMATE_UNITS, POOLS, expected_shapes, forward, forward_blocks
from mirloop_musicnn.weights import load_model, load_reference


def naive_conv_same(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """A 3 × 3 ``same`` convolution of one map ``(T, F, C)``, output by output."""
    padded = np.pad(x, ((1, 1), (1, 1), (0, 0)))
    out = np.empty((*x.shape[:2], kernel.shape[-1]))
    for t in range(x.shape[0]):
        for f in range(x.shape[1]):
            out[t, f] = np.tensordot(padded[t : t + 3, f : f + 3], kernel, axes=([0, 1, 2], [0, 1, 2]))
    return out + bias


def naive_max_pool(x: np.ndarray, pool: tuple[int, int], strides: tuple[int, int]) -> np.ndarray:
    """``max_pooling2d`` with ``valid`` padding of one map ``(T, F, C)``, window by window."""
    rows = (x.shape[0] - pool[0]) // strides[0] + 1
    cols = (x.shape[1] - pool[1]) // strides[1] + 1
    out = np.empty((rows, cols, x.shape[2]))
    for i in range(rows):
        for j in range(cols):
            t, f = i * strides[0], j * strides[1]
            out[i, j] = x[t : t + pool[0], f : f + pool[1]].max(axis=(0, 1))
    return out


def test_a_convolution_pads_one_frame_and_band_on_every_side() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 7, 6, 3)).astype(np.float32)
    kernel = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)

    ours = vgg_network._conv3x3(x, kernel)

    np.testing.assert_allclose(ours[0], naive_conv_same(x[0], kernel, np.zeros(4)), atol=1e-5)


def test_a_one_channel_convolution_and_a_band_step_give_the_same_values() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 9, 8, 1)).astype(np.float32)
    kernel = rng.standard_normal((3, 3, 1, 5)).astype(np.float32)

    full = vgg_network._conv3x3(x, kernel)
    every_other = vgg_network._conv3x3(x, kernel, band_step=2)

    np.testing.assert_allclose(full[0], naive_conv_same(x[0], kernel, np.zeros(5)), atol=1e-5)
    np.testing.assert_allclose(every_other, full[:, :, ::2], atol=1e-6)


@pytest.mark.parametrize(("pool", "strides"), POOLS)
def test_pooling_is_valid_padded_with_its_own_strides(
    pool: tuple[int, int], strides: tuple[int, int]
) -> None:
    x = np.random.default_rng(2).standard_normal((1, 23, 12, 2)).astype(np.float32)

    ours = vgg_network._max_pool(x, pool, strides)[0]

    np.testing.assert_array_equal(ours, naive_max_pool(x[0], pool, strides))


def test_the_maps_shrink_as_tensorflow_pools_them_to_a_256_value_embedding() -> None:
    assert vgg_network._final_map() == (2, 1)
    assert PENULTIMATE_UNITS == 256
    assert expected_shapes(50)["dense/kernel"] == (256, 50)
    assert expected_shapes(50)["1CNN/kernel"] == (3, 3, 1, 128)


def naive_forward(w: dict[str, np.ndarray], patch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """musicnn's ``vgg`` on one patch, layer by layer as TensorFlow defines it (inference mode)."""

    def batch_norm(name: str, x: np.ndarray) -> np.ndarray:
        normed = (x - w[f"{name}/moving_mean"]) / np.sqrt(w[f"{name}/moving_variance"] + BN_EPSILON)
        return normed * w[f"{name}/gamma"] + w[f"{name}/beta"]

    x = batch_norm("batch_normalization", patch[:, :, np.newaxis].astype(np.float64))
    for block, (pool, strides) in enumerate(POOLS, start=1):
        conv = np.maximum(naive_conv_same(x, w[f"{block}CNN/kernel"], w[f"{block}CNN/bias"]), 0.0)
        x = naive_max_pool(batch_norm(f"batch_normalization_{block}", conv), pool, strides)
    flat = x.reshape(-1)
    logits = flat @ w["dense/kernel"] + w["dense/bias"]
    return 1.0 / (1.0 + np.exp(-logits)), flat


def test_the_network_is_musicnns_vgg_layer_by_layer() -> None:
    """Batch norm in inference mode after the ReLU, every pooling and the flattening order, with
    negative batch-norm scales (so the max pooling must come after the norm)."""
    w = synthetic_arrays(50, seed=7, model="MTT_vgg")
    w["batch_normalization_1/gamma"][::3] *= -1
    w["batch_normalization_5/gamma"][::2] *= -1
    patch = np.random.default_rng(3).random((N_FRAMES, N_MELS)).astype(np.float32)

    ours = forward(w, patch[np.newaxis])
    tags, flat = naive_forward(w, patch)

    np.testing.assert_allclose(ours.penultimate[0], flat, atol=1e-4)
    np.testing.assert_allclose(ours.tags[0], tags, atol=1e-5)


def test_patches_are_independent_of_their_batch() -> None:
    w = synthetic_arrays(50, seed=5, model="MSD_vgg")
    x = np.random.default_rng(4).random((10, N_FRAMES, N_MELS)).astype(np.float32)

    together = forward(w, x)
    alone = forward(w, x[9:10])

    assert together.tags.shape == (10, 50) and together.penultimate.shape == (10, PENULTIMATE_UNITS)
    np.testing.assert_allclose(together.tags[9:10], alone.tags, atol=1e-6)


def test_patches_of_another_shape_are_refused() -> None:
    with pytest.raises(ValueError, match=r"patches must have shape \(n, 187, 96\)"):
        forward(synthetic_arrays(50, model="MTT_vgg"), np.zeros((2, 187, 40), np.float32))


@pytest.mark.parametrize("name", ["MTT_vgg", "MSD_vgg"])
def test_synthetic_vgg_weights_load_and_reproduce_their_own_reference(
    synthetic_folder: Path, name: str
) -> None:
    model = load_model(name, synthetic_folder)

    output = model(load_reference(synthetic_folder, model.sidecar))

    assert model.sidecar["arrays"]["dense/kernel"] == [PENULTIMATE_UNITS, 50]
    np.testing.assert_allclose(output.tags, np.asarray(model.sidecar["reference"]["tags"]), atol=1e-6)
    np.testing.assert_allclose(output.penultimate, np.asarray(model.sidecar["reference"]["penultimate"]),
                               atol=1e-5)


def test_no_patch_gives_empty_outputs_of_the_vgg_widths() -> None:
    output = forward_blocks(synthetic_arrays(50, model="MTT_vgg"), [])

    assert output.tags.shape == (0, 50)
    assert output.penultimate.shape == (0, PENULTIMATE_UNITS)
