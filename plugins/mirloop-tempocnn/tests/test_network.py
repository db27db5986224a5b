"""The NumPy interpreter follows TensorFlow's layer semantics on generated models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from mirloop.errors import ModelError

from mirloop_tempocnn.network import conv2d, load_graph, pool2d
from mirloop_tempocnn.synthetic import layer, tiny_model, write_keras_h5


def naive_conv_same(x: np.ndarray, kernel: np.ndarray, dilation: tuple[int, int]) -> np.ndarray:
    """Direct definition: out[y, x] = Σ in[y + (i - ci)·dh, x + (j - cj)·dw] · k[i, j], zeros outside."""
    n, h, w, _ = x.shape
    kh, kw, _, cout = kernel.shape
    top, left = ((kh - 1) * dilation[0]) // 2, ((kw - 1) * dilation[1]) // 2
    out = np.zeros((n, h, w, cout))
    for yy in range(h):
        for xx in range(w):
            for i in range(kh):
                for j in range(kw):
                    sy, sx = yy + i * dilation[0] - top, xx + j * dilation[1] - left
                    if 0 <= sy < h and 0 <= sx < w:
                        out[:, yy, xx] += x[:, sy, sx] @ kernel[i, j]
    return out


@pytest.mark.parametrize(("kernel_shape", "dilation"), [((1, 5), (1, 1)), ((1, 4), (1, 3)), ((3, 2), (2, 1))])
def test_same_convolution_matches_its_definition(
    kernel_shape: tuple[int, int], dilation: tuple[int, int]
) -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 11, 3)).astype(np.float32)
    kernel = rng.normal(size=(*kernel_shape, 3, 2)).astype(np.float32)
    got = conv2d(x, kernel, dilation=dilation, padding="same")
    np.testing.assert_allclose(got, naive_conv_same(x, kernel, dilation), rtol=1e-5, atol=1e-5)


def test_pooling_takes_the_maximum_or_mean_of_each_block_and_drops_the_rest() -> None:
    x = np.arange(2 * 5 * 1 * 1, dtype=np.float32).reshape(2, 5, 1, 1)
    np.testing.assert_array_equal(pool2d(x, (2, 1), (2, 1), np.max)[0, :, 0, 0], [1, 3])
    np.testing.assert_array_equal(pool2d(x, (2, 1), (2, 1), np.mean)[1, :, 0, 0], [5.5, 7.5])


def test_a_generated_model_runs_end_to_end_to_a_distribution(tmp_path: Path) -> None:
    graph = load_graph(tiny_model(tmp_path / "tiny.h5"))
    x = np.random.default_rng(2).random((3, 4, 16, 1)).astype(np.float32)
    out = graph(x)
    assert out.shape == (3, 4)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)
    # the same computation by hand: batch norm is the identity here, then conv, ELU, pool, mean, softmax
    kernel = graph.layers[2].weights["kernel"]
    hidden = naive_conv_same(x, kernel, (1, 2))
    hidden = np.where(hidden > 0, hidden, np.expm1(np.minimum(hidden, 0)))
    pooled = np.maximum(hidden[:, 0::2], hidden[:, 1::2]).mean(axis=(1, 2))
    expected = np.exp(pooled) / np.exp(pooled).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-6)


def test_a_layer_it_cannot_run_is_refused_by_name(tmp_path: Path) -> None:
    layers = [layer("InputLayer", "input", []), layer("LSTM", "memory", ["input"])]
    with pytest.raises(ModelError, match="'memory' is a LSTM"):
        load_graph(write_keras_h5(tmp_path / "rnn.h5", layers, {}))


def test_a_missing_weight_is_refused(tmp_path: Path) -> None:
    layers = [
        layer("InputLayer", "input", []),
        layer("Dense", "out", ["input"], units=2, activation="softmax", use_bias=True),
    ]
    path = write_keras_h5(tmp_path / "partial.h5", layers, {"out": {"kernel": np.ones((3, 2), "f4")}})
    with pytest.raises(ModelError, match="'out' lacks bias"):
        load_graph(path)
