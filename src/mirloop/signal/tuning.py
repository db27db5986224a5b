"""Tuning offset of a track from its constant-Q spectrum, and chroma corrected for it.

The CQT has three bins per semitone, the middle one on an equal-tempered pitch of A = 440 Hz.
Folded over octaves into 36 pitch-class bins, a track tuned to A = 440 Hz has its energy in
the middle bins; a track tuned 40 cents sharp (A ≈ 450 Hz) moves it towards the upper ones,
and a plain 12-bin chroma then smears each note over two pitch classes. The offset is the
circular mean of the energy over the three positions within a semitone (period one
semitone, like the deviation histogram of essentia's ``TuningFrequency``), in semitones in
[-0.5, 0.5); the corrected chroma shifts the 36 bins back by that offset (linear
interpolation) before folding each semitone's three bins into one pitch class.
"""

from __future__ import annotations

import numpy as np

from mirloop.errors import InvalidValueError

#: Pitch-class bins per semitone of the fine chroma.
BINS_PER_SEMITONE = 3


def _check_fine(fine: np.ndarray) -> np.ndarray:
    x = np.asarray(fine, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] != 12 * BINS_PER_SEMITONE:
        raise InvalidValueError(f"fine chroma must have shape (36, n), got {x.shape}")
    return x


def estimate_tuning(fine: np.ndarray) -> float:
    """Tuning offset in semitones, in [-0.5, 0.5), of a ``(36, n)`` fine chroma (bin 0 on C).

    0.0 for a silent track.
    """
    x = _check_fine(fine)
    energy = x.sum(axis=1).reshape(12, BINS_PER_SEMITONE).sum(axis=0)
    if energy.sum() <= 0.0:
        return 0.0
    offsets = np.arange(BINS_PER_SEMITONE) / BINS_PER_SEMITONE  # semitones above the tempered pitch
    phase = np.angle(np.sum(energy * np.exp(2j * np.pi * offsets)))
    tuning = float(phase / (2 * np.pi))
    return -0.5 if tuning >= 0.5 else tuning


def tuned_chroma(fine: np.ndarray, tuning: float) -> np.ndarray:
    """``(12, n)`` chroma of a ``(36, n)`` fine chroma whose pitches lie ``tuning`` semitones sharp."""
    x = _check_fine(fine)
    shift = tuning * BINS_PER_SEMITONE
    whole = int(np.floor(shift))
    frac = shift - whole
    shifted = (1.0 - frac) * np.roll(x, -whole, axis=0) + frac * np.roll(x, -whole - 1, axis=0)
    # pitch class c gathers bins 3c - 1, 3c and 3c + 1 (as librosa's cq_to_chroma)
    return np.roll(shifted, 1, axis=0).reshape(12, BINS_PER_SEMITONE, -1).sum(axis=1)
