"""A small feedback-delay-network reverb, processed in blocks without per-sample Python loops.

Early reflections are a few non-recursive taps of the input; the tail comes from eight delay
lines mixed by a Hadamard matrix and damped by two-tap low-pass filters. Every line is at least
one block long, so each read inside a block refers to samples written before it and a block is
computed with whole-array operations. The network runs at about 11 kHz (a quarter of 44.1 kHz;
a reverb tail carries little above 5 kHz): the input is averaged over groups of samples and the
wet output linearly interpolated back, so the reverb costs a fraction of the synthesis.
"""

from __future__ import annotations

import numpy as np

#: Tail delays in seconds (mutually prime at 11025 Hz) and early-reflection taps (s, gain).
TAIL_DELAYS = (0.0937, 0.1031, 0.1129, 0.1223, 0.1319, 0.1427, 0.1531, 0.1637)
EARLY_TAPS = ((0.011, 0.45), (0.019, -0.38), (0.029, 0.33), (0.043, -0.27), (0.061, 0.22), (0.079, -0.17))


class FdnReverb:
    """Stereo in (summed to mono), stereo wet signal out.

    ``decay`` is the RT60 in s; ``damping`` in [0, 1) darkens the tail.

    Blocks passed to :meth:`process` must be a multiple of :attr:`factor` samples and at most
    ``block`` samples long.
    """

    def __init__(self, sr: int, *, block: int = 4096, decay: float = 1.6, damping: float = 0.35) -> None:
        self.factor = max(1, round(sr / 11025))
        rate = sr / self.factor
        self.max_block = block // self.factor
        delays = [max(self.max_block, round(d * rate)) for d in TAIL_DELAYS]
        self.delays = delays
        self.longest = max(delays)
        # linear buffers written at `head`; when full, the last `longest` samples move to the front
        self.lines = np.zeros((8, self.longest + 16 * self.max_block), dtype=np.float32)
        self.head = self.longest
        self.gains = np.array([10 ** (-3 * d / (decay * rate)) for d in delays], dtype=np.float32)[:, None]
        from scipy.linalg import hadamard  # scipy loads only when rendering
        self.matrix = (hadamard(8) / np.sqrt(8)).astype(np.float32)
        self.damping = np.float32(damping)
        self.previous = np.zeros((8, 1), dtype=np.float32)
        self.taps = [(round(t * rate), np.float32(g)) for t, g in EARLY_TAPS]
        self.history = np.zeros(max(t for t, _ in self.taps), dtype=np.float32)
        self.last = np.zeros((2, 1), dtype=np.float32)  # previous low-rate output, for interpolation
        self.mix_in = np.array([1, -1, 1, -1, 1, 1, -1, -1], dtype=np.float32)[:, None] * np.float32(0.35)

    def process(self, block: np.ndarray) -> np.ndarray:
        """Wet stereo output for a ``(2, n)`` block (the network is fed the mono sum)."""
        f = self.factor
        n = block.shape[1]
        if n % f or n // f > self.max_block:
            raise ValueError(
                f"reverb blocks must be a multiple of {f} samples and at most {self.max_block * f}, got {n}"
            )
        mono = block[0] + block[1]
        if f == 1:
            return self._run(mono * np.float32(0.5))
        decimated = mono[0::f].copy()
        for offset in range(1, f):
            decimated += mono[offset::f]
        low = self._run(decimated * np.float32(0.5 / f))
        steps = np.concatenate([self.last, low], axis=1)
        self.last = low[:, -1:]
        ramp = (np.arange(1, f + 1, dtype=np.float32) / f)[None, None, :]
        previous, current = steps[:, :-1, None], steps[:, 1:, None]
        return (previous + (current - previous) * ramp).reshape(2, n)

    def _run(self, mono: np.ndarray) -> np.ndarray:
        n = mono.shape[0]
        # early reflections: taps of the input (with its recent history)
        joined = np.concatenate([self.history, mono])
        start = self.history.shape[0]
        early = np.zeros_like(mono)
        for delay, gain in self.taps:
            early += gain * joined[start - delay : start - delay + n]
        self.history = joined[-start:]
        # tail: what leaves each line now was written `delay` samples ago
        if self.head + n > self.lines.shape[1]:
            self.lines[:, : self.longest] = self.lines[:, self.head - self.longest : self.head]
            self.head = self.longest
        head = self.head
        outputs = np.stack([self.lines[i, head - d : head - d + n] for i, d in enumerate(self.delays)])
        shifted = np.concatenate([self.previous, outputs[:, :-1]], axis=1)
        self.previous = outputs[:, -1:]
        damped = (1 - self.damping) * outputs + self.damping * shifted  # high frequencies decay faster
        feedback = self.matrix @ (damped * self.gains) + self.mix_in * (mono + early)[None, :]
        self.lines[:, head : head + n] = feedback
        self.head = head + n
        tail = np.stack([outputs[0::2].sum(axis=0), outputs[1::2].sum(axis=0)]) * np.float32(0.3)
        return tail + early[None, :]
