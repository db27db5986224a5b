"""A small feedback-delay-network reverb, processed in blocks without per-sample Python loops.

Four delay lines (each longer than the processing chunk) are mixed by a Hadamard matrix and
damped by two-tap low-pass filters; every delay read inside a chunk refers to samples
written before it, so a chunk is computed with whole-array operations.
"""

from __future__ import annotations

import math

import numpy as np

_HADAMARD = 0.5 * np.array([[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]], dtype=np.float32)
_DELAYS_44K = (2053, 2503, 2971, 3499)  # samples at 44.1 kHz: 47–79 ms, mutually prime


class _Line:
    """A circular delay line read and written in contiguous slices."""

    def __init__(self, length: int) -> None:
        self.buffer = np.zeros(length, dtype=np.float32)
        self.head = 0

    def read(self, n: int) -> np.ndarray:
        end = self.head + n
        if end <= len(self.buffer):
            return self.buffer[self.head:end].copy()
        return np.concatenate([self.buffer[self.head:], self.buffer[: end - len(self.buffer)]])

    def write(self, values: np.ndarray) -> None:
        n, size = len(values), len(self.buffer)
        first = min(n, size - self.head)
        self.buffer[self.head:self.head + first] = values[:first]
        if first < n:
            self.buffer[: n - first] = values[first:]
        self.head = (self.head + n) % size


class FdnReverb:
    """Stereo in, stereo wet signal out. ``decay`` is the RT60 in s, ``damping`` in [0, 1) darkens tails."""

    def __init__(self, sr: int, *, decay: float = 1.6, damping: float = 0.35) -> None:
        delays = [max(64, round(d * sr / 44100)) for d in _DELAYS_44K]
        self.lines = [_Line(d) for d in delays]
        self.chunk = min(delays)
        self.gains = np.array([10 ** (-3 * d / (decay * sr)) for d in delays], dtype=np.float32)[:, None]
        self.damping = float(damping)
        self.previous = np.zeros((4, 1), dtype=np.float32)

    def process(self, block: np.ndarray) -> np.ndarray:
        """Wet output for a ``(2, n)`` block (any ``n``)."""
        n = block.shape[1]
        pieces = max(1, math.ceil(n / self.chunk))
        size = math.ceil(n / pieces)
        if pieces == 1:
            return self._chunk(block)
        return np.concatenate([self._chunk(block[:, s:s + size]) for s in range(0, n, size)], axis=1)

    def _chunk(self, block: np.ndarray) -> np.ndarray:
        n = block.shape[1]
        outputs = np.stack([line.read(n) for line in self.lines])  # (4, n): what leaves each line now
        a = np.float32(self.damping)
        shifted = np.concatenate([self.previous, outputs[:, :-1]], axis=1)
        self.previous = outputs[:, -1:]
        damped = (1 - a) * outputs + a * shifted  # two-tap low-pass: high frequencies decay faster
        feedback = _HADAMARD @ (damped * self.gains)
        mono = 0.5 * (block[0] + block[1])
        feedback[0] += 0.5 * mono
        feedback[1] += 0.5 * block[0]
        feedback[2] += 0.5 * block[1]
        feedback[3] += 0.5 * mono
        for line, values in zip(self.lines, feedback):
            line.write(values)
        return np.stack([outputs[0] + outputs[2], outputs[1] + outputs[3]]) * np.float32(0.5)
