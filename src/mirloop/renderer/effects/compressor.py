"""A feed-forward compressor: a stereo-linked level detector, a soft-knee gain computer and
attack/release ballistics on the gain reduction (Giannoulis, Massberg & Reiss, JAES 2012).

The three run per sample in one compiled loop (numba, cached on disk): the ballistics are a
recursion whose coefficient depends on its own last value, and one pass keeps the compressor a
small part of a render's cost.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mirloop.errors import RenderError

#: Averaging time (s) of the RMS detector.
RMS_WINDOW = 0.005
#: Width (dB) of the soft knee around the threshold.
KNEE_DB = 6.0
DETECTORS = ("rms", "peak")


class Compressor:
    """Turns a stereo signal down by ``(level − threshold)·(1 − 1/ratio)`` dB above the threshold.

    ``detector`` ``"rms"`` (a one-pole mean square over :data:`RMS_WINDOW`) or ``"peak"``; the gain
    reduction rises with the ``attack_ms`` time constant and falls with ``release_ms``. Both
    channels get the same gain, so the stereo image stays put.
    """

    def __init__(
        self,
        sr: int,
        *,
        threshold_db: float,
        ratio: float,
        attack_ms: float,
        release_ms: float,
        knee_db: float = KNEE_DB,
        detector: str = "rms",
    ) -> None:
        if detector not in DETECTORS:
            raise RenderError(f"compressor detector must be one of {', '.join(DETECTORS)}, got {detector!r}")
        self.threshold_db, self.ratio, self.knee_db, self.detector = threshold_db, ratio, knee_db, detector
        self.attack = float(np.exp(-1.0 / (attack_ms / 1000 * sr)))
        self.release = float(np.exp(-1.0 / (release_ms / 1000 * sr)))
        self.rms_pole = float(np.exp(-1.0 / (RMS_WINDOW * sr)))
        self.state = np.zeros(2)  # the detector's mean square and the smoothed reduction (dB)

    def process(self, block: np.ndarray) -> np.ndarray:
        gain = np.empty(block.shape[1])
        _kernel()(
            np.ascontiguousarray(block, dtype=np.float64),
            gain,
            self.detector == "peak",
            self.rms_pole,
            self.threshold_db,
            self.ratio,
            self.knee_db,
            self.attack,
            self.release,
            self.state,
        )
        return np.asarray(block * gain, dtype=np.float64)


_KERNEL: Any = None


def _kernel() -> Any:
    """The compiled loop (numba compiles it, or reads its disk cache, on first use)."""
    global _KERNEL
    if _KERNEL is None:
        import numba

        _KERNEL = numba.njit(cache=True, nogil=True)(compress)
    return _KERNEL


def compress(
    block: np.ndarray,
    gain: np.ndarray,
    peak: bool,
    rms_pole: float,
    threshold_db: float,
    ratio: float,
    knee_db: float,
    attack: float,
    release: float,
    state: np.ndarray,
) -> None:
    """Per sample of a ``(2, n)`` block: the detector's level (the larger absolute sample when
    ``peak``, else the mean square of both channels through a one-pole filter with pole
    ``rms_pole``), the static curve's reduction (soft knee of ``knee_db``), that reduction smoothed
    with coefficient ``attack`` while it grows and ``release`` while it shrinks, written to
    ``gain`` as a linear gain. ``state`` carries the mean square and the smoothed reduction."""
    power, value = state[0], state[1]
    slope = 1.0 - 1.0 / ratio
    quiet = 10.0 ** ((threshold_db - knee_db / 2) / 10)  # a mean square (or squared peak) below the knee
    for i in range(block.shape[1]):
        left, right = block[0, i], block[1, i]
        if peak:
            square = max(left * left, right * right)
        else:
            power = rms_pole * power + (1.0 - rms_pole) * (left * left + right * right) / 2
            square = power
        over = 10.0 * np.log10(square + 1e-24) - threshold_db if square > quiet else -knee_db
        if 2 * over <= -knee_db:
            target = 0.0
        elif 2 * over >= knee_db:
            target = slope * over
        else:
            target = slope * (over + knee_db / 2) ** 2 / (2 * knee_db)
        pole = attack if target > value else release
        value = pole * value + (1.0 - pole) * target
        gain[i] = 10.0 ** (-value / 20.0) if value > 1e-9 else 1.0
    state[0], state[1] = power, value
