"""Near-silent stretches inside a track: where the level stays at dither or below for a while.

A track can hold minutes of near-silence (a gap between movements, a hidden track after a
long pause, an export padded with dither) that say nothing about its tempo, key or form. The
analysis does not fail on them; it lists them (``Analysis.near_silent``, the JAMS sandbox, the
batch summary) and flags the track ``"near-silent"``.
"""

from __future__ import annotations

import numpy as np

from mirloop.signal.sample_file import BLOCK_SAMPLES, release_before

#: RMS (linear, full scale 1) below which a stretch counts as near-silent: -80 dBFS, above the
#: dither of a 16-bit file (about -92 dBFS) and below any audible passage.
QUIET_RMS = 1e-4
#: Shortest near-silent stretch listed, in seconds.
MIN_QUIET_SECONDS = 5.0
#: Length of the windows whose RMS is compared with :data:`QUIET_RMS`, in seconds.
WINDOW_SECONDS = 0.25


def near_silent_spans(
    y: np.ndarray, sr: int, *, level: float = QUIET_RMS, min_seconds: float = MIN_QUIET_SECONDS
) -> tuple[tuple[float, float], ...]:
    """``(start, end)`` seconds of each run of at least ``min_seconds`` whose 0.25-s windows of
    mono ``y`` all have an RMS below ``level`` around their mean (a DC offset held is silence too);
    computed a block at a time."""
    width = max(1, round(WINDOW_SECONDS * sr))
    n_windows = -(-len(y) // width)
    quiet = np.empty(n_windows, dtype=bool)
    per_block = max(1, BLOCK_SAMPLES // width)
    for w0 in range(0, n_windows, per_block):
        w1 = min(w0 + per_block, n_windows)
        block = np.asarray(y[w0 * width : w1 * width], dtype=np.float64)
        padded = np.zeros((w1 - w0) * width)
        padded[: len(block)] = block
        counts = np.full(w1 - w0, width, dtype=np.float64)
        counts[-1] = len(block) - (w1 - w0 - 1) * width
        windows = padded.reshape(w1 - w0, width)
        mean = windows.sum(axis=1) / counts
        power = (windows**2).sum(axis=1) / counts - mean**2  # the variance: the offset taken out
        quiet[w0:w1] = power < level**2
        release_before(y, w1 * width)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], quiet.astype(np.int8), [0]])))
    duration = len(y) / sr
    spans = []
    for a, b in zip(edges[::2], edges[1::2]):
        start, end = a * width / sr, min(b * width / sr, duration)
        if end - start >= min_seconds:
            spans.append((round(start, 3), round(end, 3)))
    return tuple(spans)
