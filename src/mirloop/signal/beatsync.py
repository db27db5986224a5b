"""Beat-synchronous summaries of the CQT and MFCCs (the input of structural segmentation)."""

from __future__ import annotations

import itertools

import numpy as np
from attrs import frozen

from mirloop.signal.sample_file import release_before

#: Most units a track is summarised into (beats are grouped when a track has more).
MAX_UNITS = 768
#: Unit length in seconds when no beats are found (silence, free-time audio).
FALLBACK_UNIT = 0.5


@frozen(eq=False)
class BeatUnits:
    """``n`` consecutive time units (beats or groups of beats) covering the track.

    ``bounds`` has ``n + 1`` times in seconds (first 0, last the duration); ``cqt`` is the
    median CQT in dB per unit ``(216, n)``; ``mfcc`` the mean MFCCs per unit ``(20, n)``.
    """

    bounds: np.ndarray
    cqt: np.ndarray
    mfcc: np.ndarray
    beats_per_unit: int

    @property
    def n(self) -> int:
        return len(self.bounds) - 1


def unit_bounds(beats: np.ndarray, duration: float, max_units: int = MAX_UNITS) -> tuple[np.ndarray, int]:
    """Unit boundaries from beat times: every ``m``-th beat, ``m`` the smallest keeping ≤ ``max_units``."""
    inner = np.asarray(beats, dtype=np.float64)
    inner = inner[(inner > 0.05) & (inner < duration - 0.05)]
    if len(inner) < 2:
        inner = np.arange(FALLBACK_UNIT, duration - 0.05, FALLBACK_UNIT)
    group = max(1, int(np.ceil((len(inner) + 1) / max_units)))
    inner = inner[group - 1 :: group]
    return np.concatenate([[0.0], inner, [duration]]), group


def _aggregate(data: np.ndarray, frame_rate: float, bounds: np.ndarray, how: str) -> np.ndarray:
    n_frames = data.shape[1]
    idx = np.clip(np.round(bounds * frame_rate).astype(int), 0, n_frames)
    out = np.empty((data.shape[0], len(bounds) - 1), dtype=np.float32)
    for i, (a, b) in enumerate(itertools.pairwise(idx)):
        a = min(a, n_frames - 1)
        b = max(b, a + 1)
        block = data[:, a:b]
        out[:, i] = np.median(block, axis=1) if how == "median" else block.mean(axis=1)
        release_before(data, a)  # a spilled CQT's columns behind this unit
    return out


def beat_synchronous(
    *,
    beats: np.ndarray,
    duration: float,
    cqt_db: np.ndarray,
    cqt_rate: float,
    mfcc: np.ndarray,
    mfcc_rate: float,
    max_units: int = MAX_UNITS,
) -> BeatUnits:
    """Median CQT and mean MFCCs over each unit between consecutive (grouped) beats."""
    bounds, group = unit_bounds(beats, duration, max_units)
    return BeatUnits(
        bounds=bounds,
        cqt=_aggregate(cqt_db, cqt_rate, bounds, "median"),
        mfcc=_aggregate(mfcc, mfcc_rate, bounds, "mean"),
        beats_per_unit=group,
    )
