"""The NumPy network: TensorFlow's outputs on the reference input, and TensorFlow's layer semantics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mirloop_musicnn.export import is_exported
from mirloop_musicnn.melspec import cut_patches
from mirloop_musicnn.network import BN_EPSILON, CHUNK, N_FRAMES, N_MELS, forward, forward_blocks
from mirloop_musicnn.synthetic import synthetic_arrays
from mirloop_musicnn.weights import MODELS, default_weights_dir, load_model, load_reference

TOLERANCE = 1e-4


@pytest.mark.parametrize("name", MODELS)
def test_the_numpy_network_matches_tensorflow_on_the_reference_input(name: str) -> None:
    if not is_exported(models=[name]):
        pytest.skip(f"{name} is not exported in {default_weights_dir()}; run `mirloop-musicnn setup`")
    model = load_model(name)
    reference = model.sidecar["reference"]

    output = model(load_reference(None, model.sidecar))

    tags, penultimate = np.asarray(reference["tags"]), np.asarray(reference["penultimate"])
    np.testing.assert_allclose(output.tags, tags, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(output.penultimate, penultimate, rtol=0, atol=TOLERANCE)
    assert model.sidecar["tensorflow_version"].startswith("2.")


def test_synthetic_weights_reproduce_their_own_reference(synthetic_folder: Path) -> None:
    model = load_model("MTT_musicnn", synthetic_folder)

    output = model(load_reference(synthetic_folder, model.sidecar))

    np.testing.assert_allclose(output.tags, np.asarray(model.sidecar["reference"]["tags"]), atol=1e-6)


def naive_frontend(w: dict[str, np.ndarray], x: np.ndarray, conv: str, bn: str, *, same: bool) -> np.ndarray:
    """One front-end block written out as TensorFlow defines it, loop by loop: (T, filters)."""
    kernel = w[f"{conv}/kernel"][:, :, 0, :]
    kh, kw = kernel.shape[:2]
    padded = np.pad(x, (((kh - 1) // 2, kh // 2), (0, 0))) if same else np.pad(x, ((3, 3), (0, 0)))
    t_out, f_out = padded.shape[0] - kh + 1, padded.shape[1] - kw + 1
    out = np.empty((t_out, f_out, kernel.shape[-1]))
    for t in range(t_out):
        for f in range(f_out):
            out[t, f] = np.tensordot(padded[t : t + kh, f : f + kw], kernel, axes=([0, 1], [0, 1]))
    out = np.maximum(out + w[f"{conv}/bias"], 0)
    out = (out - w[f"{bn}/moving_mean"]) / np.sqrt(w[f"{bn}/moving_variance"] + BN_EPSILON)
    return (out * w[f"{bn}/gamma"] + w[f"{bn}/beta"]).max(axis=1)


def test_front_end_padding_and_pooling_follow_tensorflow() -> None:
    """The 7-frame timbral filters see 3 padded frames at each end; the 'same' temporal filters put the
    odd padding frame at the end; negative batch-norm scales still pool the maximum after the norm."""
    from mirloop_musicnn import network

    w = synthetic_arrays(50, seed=3)
    w["batch_normalization_1/gamma"][::2] *= -1  # negative scales for half the channels
    w["batch_normalization_4/gamma"][::2] *= -1
    x = np.random.default_rng(1).random((1, N_FRAMES, N_MELS)).astype(np.float32)
    from numpy.lib.stride_tricks import sliding_window_view

    timbral = network._frontend_block(
        w, 0, 1, sliding_window_view(network._pad_time(x, 3, 3), (7, 38), axis=(1, 2))
    )
    temporal = network._frontend_block(
        w, 3, 4, sliding_window_view(network._pad_time(x, 31, 32), (64, 1), axis=(1, 2))
    )

    expected_timbral = naive_frontend(w, x[0], "conv2d", "batch_normalization_1", same=False)
    expected_temporal = naive_frontend(w, x[0], "conv2d_3", "batch_normalization_4", same=True)
    np.testing.assert_allclose(timbral[0], expected_timbral, atol=1e-4)
    np.testing.assert_allclose(temporal[0], expected_temporal, atol=1e-4)


def test_patches_are_independent_of_their_batch() -> None:
    w = synthetic_arrays(50, seed=5)
    x = np.random.default_rng(2).random((11, N_FRAMES, N_MELS)).astype(np.float32)

    together = forward(w, x)
    alone = forward(w, x[9:10])

    np.testing.assert_allclose(together.tags[9:10], alone.tags, atol=1e-6)
    np.testing.assert_allclose(together.penultimate[9:10], alone.penultimate, atol=1e-4)


def test_patches_of_another_shape_are_refused() -> None:
    with pytest.raises(ValueError, match=r"patches must have shape \(n, 187, 96\)"):
        forward(synthetic_arrays(50), np.zeros((2, 100, 96), np.float32))


def test_a_model_on_patches_a_few_at_a_time_gives_the_outputs_of_the_whole_stack() -> None:
    w = synthetic_arrays(50, seed=3)
    mel = np.random.default_rng(4).random((1500, N_MELS)).astype(np.float32)
    patches = cut_patches(mel, hop_seconds=2.0)

    whole = forward(w, patches.values)
    blocked = forward_blocks(w, patches.blocks(CHUNK))

    assert len(patches) > CHUNK
    np.testing.assert_array_equal(blocked.tags, whole.tags)
    np.testing.assert_array_equal(blocked.penultimate, whole.penultimate)
