"""A small feedback-delay-network reverb.

Early reflections are a few non-recursive taps of the input; the tail comes from eight delay
lines mixed by a Hadamard matrix (a fast Walsh–Hadamard transform) and damped by two-tap
low-pass filters. The network runs at about 11 kHz (a quarter of 44.1 kHz; a reverb tail
carries little above 5 kHz): the input is averaged over groups of samples and the wet output
linearly interpolated back. Decimation, recursion and interpolation are one compiled loop over
the block (numba, cached on disk), so the reverb costs a small fraction of the synthesis.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mirloop.errors import InvalidValueError

#: Tail delays in seconds (mutually prime at 11025 Hz) and early-reflection taps (s, gain).
TAIL_DELAYS = (0.0937, 0.1031, 0.1129, 0.1223, 0.1319, 0.1427, 0.1531, 0.1637)
EARLY_TAPS = ((0.011, 0.45), (0.019, -0.38), (0.029, 0.33), (0.043, -0.27), (0.061, 0.22), (0.079, -0.17))
#: Gains of the input into each line, and of the lines into the left (even) and right (odd) output.
INPUT_SIGNS = (1, -1, 1, -1, 1, 1, -1, -1)
INPUT_GAIN = 0.35
OUTPUT_GAIN = 0.3


class FdnReverb:
    """Stereo in (summed to mono), stereo wet signal out.

    ``decay`` is the RT60 in s; ``damping`` in [0, 1) darkens the tail. Blocks passed to
    :meth:`process` must be a multiple of :attr:`factor` samples long.
    """

    def __init__(self, sr: int, *, decay: float = 1.6, damping: float = 0.35) -> None:
        self.factor = max(1, round(sr / 11025))
        rate = sr / self.factor
        self.delays = np.array([max(1, round(d * rate)) for d in TAIL_DELAYS], dtype=np.int64)
        self.lines = np.zeros((8, int(self.delays.max())), dtype=np.float32)  # circular, one per line
        self.positions = np.zeros(8, dtype=np.int64)
        self.gains = np.array([10 ** (-3 * d / (decay * rate)) for d in self.delays], dtype=np.float32)
        self.damping = np.float32(damping)
        self.previous = np.zeros(8, dtype=np.float32)
        self.tap_delays = np.array([round(t * rate) for t, _ in EARLY_TAPS], dtype=np.int64)
        self.tap_gains = np.array([g for _, g in EARLY_TAPS], dtype=np.float32)
        self.history = np.zeros(int(self.tap_delays.max()), dtype=np.float32)  # circular input history
        self.history_position = np.zeros(1, dtype=np.int64)
        self.mix_in = np.array(INPUT_SIGNS, dtype=np.float32) * np.float32(INPUT_GAIN)
        self.last = np.zeros(2, dtype=np.float32)  # previous low-rate output, for interpolation

    def process(self, block: np.ndarray) -> np.ndarray:
        """Wet stereo output for a ``(2, n)`` block (the network is fed the mono sum)."""
        n = block.shape[1]
        if n % self.factor:
            raise InvalidValueError(f"reverb blocks must be a multiple of {self.factor} samples, got {n}")
        out = np.empty((2, n), dtype=np.float32)
        _fdn_kernel()(
            np.ascontiguousarray(block, dtype=np.float32),
            out,
            self.factor,
            self.lines,
            self.delays,
            self.positions,
            self.gains,
            self.damping,
            self.previous,
            self.mix_in,
            self.tap_delays,
            self.tap_gains,
            self.history,
            self.history_position,
            self.last,
        )
        return out


_KERNEL: Any = None


def _fdn_kernel() -> Any:
    """The compiled recursion (numba loads and compiles, or reads its disk cache, on first use)."""
    global _KERNEL
    if _KERNEL is None:
        import numba

        _KERNEL = numba.njit(cache=True, nogil=True)(fdn_loop)
    return _KERNEL


def fdn_loop(
    block: np.ndarray,
    out: np.ndarray,
    factor: int,
    lines: np.ndarray,
    delays: np.ndarray,
    positions: np.ndarray,
    gains: np.ndarray,
    damping: np.float32,
    previous: np.ndarray,
    mix_in: np.ndarray,
    tap_delays: np.ndarray,
    tap_gains: np.ndarray,
    history: np.ndarray,
    history_position: np.ndarray,
    last: np.ndarray,
) -> None:
    """Decimate ``block`` by ``factor``, run the network, interpolate back into ``out``.

    At the network's rate, one sample at a time: read each line (written ``delay`` samples
    ago), damp, mix by the normalised Hadamard matrix of order ``len(lines)`` (a power of two),
    write back. The state (``lines``, ``positions``, ``previous``, ``history``,
    ``history_position``, ``last``) is updated in place, so consecutive calls continue one signal.
    """
    n_lines = lines.shape[0]
    size = history.shape[0]
    damped = np.empty(n_lines, dtype=np.float32)
    norm = np.float32(1.0 / np.sqrt(n_lines))
    outputs = np.empty(n_lines, dtype=np.float32)
    h = history_position[0]
    scale = np.float32(0.5 / factor)
    for t in range(block.shape[1] // factor):
        x = np.float32(0.0)
        for j in range(t * factor, (t + 1) * factor):
            x += block[0, j] + block[1, j]
        x *= scale
        early = np.float32(0.0)
        for k in range(tap_delays.shape[0]):
            slot = h - tap_delays[k]
            if slot < 0:
                slot += size
            early += tap_gains[k] * history[slot]
        history[h] = x
        h += 1
        if h == size:
            h = 0
        for i in range(n_lines):
            value = lines[i, positions[i]]
            outputs[i] = value
            damped[i] = ((1 - damping) * value + damping * previous[i]) * gains[i]
            previous[i] = value
        # Hadamard mixing as a fast Walsh-Hadamard transform (Sylvester order, as scipy's hadamard)
        span = 1
        while span < n_lines:
            for start in range(0, n_lines, 2 * span):
                for i in range(start, start + span):
                    a, b = damped[i], damped[i + span]
                    damped[i], damped[i + span] = a + b, a - b
            span *= 2
        drive = x + early
        left = np.float32(0.0)
        right = np.float32(0.0)
        for i in range(n_lines):
            lines[i, positions[i]] = damped[i] * norm + mix_in[i] * drive
            positions[i] += 1
            if positions[i] == delays[i]:
                positions[i] = 0
            if i % 2 == 0:
                left += outputs[i]
            else:
                right += outputs[i]
        wet_left = left * np.float32(OUTPUT_GAIN) + early
        wet_right = right * np.float32(OUTPUT_GAIN) + early
        for j in range(factor):  # linear interpolation from the previous low-rate output
            step = np.float32((j + 1) / factor)
            out[0, t * factor + j] = last[0] + (wet_left - last[0]) * step
            out[1, t * factor + j] = last[1] + (wet_right - last[1]) * step
        last[0], last[1] = wet_left, wet_right
    history_position[0] = h
