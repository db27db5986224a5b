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
#: Frames shifted at a time by :func:`tuned_chroma` (12 minutes at the CQT hop).
TUNING_BLOCK = 8192


def _check_fine(fine: np.ndarray, *, copy: bool = True) -> np.ndarray:
    x = np.asarray(fine, dtype=np.float64) if copy else np.asarray(fine)
    if x.ndim != 2 or x.shape[0] != 12 * BINS_PER_SEMITONE:
        raise InvalidValueError(f"fine chroma must have shape (36, n), got {x.shape}")
    return x


def estimate_tuning(fine: np.ndarray) -> float:
    """Tuning offset in semitones, in [-0.5, 0.5), of a ``(36, n)`` fine chroma (bin 0 on C).

    0.0 for a silent track.
    """
    x = _check_fine(fine, copy=False)
    # Row by row in float64 (the sums of a float64 copy of the whole chroma, without the copy).
    rows = np.array([np.asarray(row, dtype=np.float64).sum() for row in x])
    energy = rows.reshape(12, BINS_PER_SEMITONE).sum(axis=0)
    if energy.sum() <= 0.0:
        return 0.0
    offsets = np.arange(BINS_PER_SEMITONE) / BINS_PER_SEMITONE  # semitones above the tempered pitch
    phase = np.angle(np.sum(energy * np.exp(2j * np.pi * offsets)))
    tuning = float(phase / (2 * np.pi))
    return -0.5 if tuning >= 0.5 else tuning


def tuned_chroma(fine: np.ndarray, tuning: float) -> np.ndarray:
    """``(12, n)`` chroma of a ``(36, n)`` fine chroma whose pitches lie ``tuning`` semitones sharp."""
    x = _check_fine(fine, copy=False)
    shift = tuning * BINS_PER_SEMITONE
    whole = int(np.floor(shift))
    frac = shift - whole
    out = np.empty((12, x.shape[1]))
    # A block of frames at a time (each frame on its own: the same values), so the float64
    # temporaries stay small whatever the length (six of the whole chroma: 700 MB for 10 hours).
    for f0 in range(0, x.shape[1], TUNING_BLOCK):
        block = np.asarray(x[:, f0 : f0 + TUNING_BLOCK], dtype=np.float64)
        shifted = (1.0 - frac) * np.roll(block, -whole, axis=0) + frac * np.roll(block, -whole - 1, axis=0)
        # pitch class c gathers bins 3c - 1, 3c and 3c + 1 (as librosa's cq_to_chroma)
        folded = np.roll(shifted, 1, axis=0).reshape(12, BINS_PER_SEMITONE, -1)
        out[:, f0 : f0 + TUNING_BLOCK] = folded.sum(axis=1)
    return out
