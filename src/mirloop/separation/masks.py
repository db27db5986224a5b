"""Soft masks from a magnitude spectrogram: REPET-SIM's repeating-background estimate.

Memory and time stay bounded by filtering the spectrogram in blocks of frames: each frame is
compared only with the frames of its own block (``frames_per_block`` long), so the similarity
search costs ``O(n · block)`` instead of ``O(n²)`` and never holds a full recurrence matrix.
"""

from __future__ import annotations

import numpy as np

#: Frames whose neighbours are gathered at once (bounds the ``(bins, rows, k)`` gather).
_ROWS_PER_GATHER = 64
#: Most similar frames whose median is the background of a frame.
MAX_NEIGHBOURS = 39


def repeating_background(magnitude: np.ndarray, *, frames_per_block: int, min_gap_frames: int) -> np.ndarray:
    """The median of each frame's most similar (cosine) frames, capped by the frame itself.

    ``magnitude`` is ``(bins, frames)``; neighbours closer in time than ``min_gap_frames`` are
    excluded (so a held vocal note is not its own "repetition"). As in librosa's
    ``nn_filter``, each frame uses about ``k = 2·ceil(sqrt(frames - 2·gap + 1))`` neighbours (made
    odd, so the median is one of them), at most :data:`MAX_NEIGHBOURS`.
    """
    n_frames = magnitude.shape[1]
    background = np.empty_like(magnitude)
    block = max(int(frames_per_block), 4 * min_gap_frames + 8)
    starts = list(range(0, n_frames, block))
    if len(starts) > 1 and n_frames - starts[-1] < block // 2:
        starts.pop()  # a short tail joins the previous block
    for index, start in enumerate(starts):
        stop = n_frames if index == len(starts) - 1 else start + block
        background[:, start:stop] = _block_background(magnitude[:, start:stop], min_gap_frames)
    return background


def _block_background(chunk: np.ndarray, min_gap_frames: int) -> np.ndarray:
    n = chunk.shape[1]
    gap = min(min_gap_frames, max(1, (n - 3) // 2))
    candidates = n - 2 * gap - 1
    if candidates < 3 or not np.any(chunk):
        return chunk.copy()
    k = min(candidates, MAX_NEIGHBOURS, 2 * int(np.ceil(np.sqrt(candidates))))
    k -= 1 - k % 2  # an odd count: the median is one element, found by one partition
    norms = np.linalg.norm(chunk, axis=0)
    unit = chunk / np.maximum(norms, 1e-12)
    similarity = unit.T @ unit
    rows = np.arange(n)
    near = np.abs(rows[:, None] - rows[None, :]) <= gap
    similarity[near] = -np.inf
    neighbours = np.argpartition(-similarity, k - 1, axis=1)[:, :k]
    middle = k // 2
    frames = np.ascontiguousarray(chunk.T)  # (frames, bins): neighbours gather whole rows
    out = np.empty_like(frames)
    for first in range(0, n, _ROWS_PER_GATHER):
        last = min(n, first + _ROWS_PER_GATHER)
        gathered = frames[neighbours[first:last]].transpose(0, 2, 1).copy()  # (rows, bins, k)
        gathered.partition(middle, axis=2)
        out[first:last] = gathered[:, :, middle]
    return np.minimum(chunk, out.T)


def soft_masks(
    magnitude: np.ndarray,
    background: np.ndarray,
    *,
    margin_background: float,
    margin_foreground: float,
    power: float = 2.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Wiener-like masks ``(background_mask, foreground_mask)`` in [0, 1] (librosa ``softmask``)."""
    import librosa

    foreground = magnitude - background
    mask_background = librosa.util.softmask(background, margin_background * foreground, power=power)
    mask_foreground = librosa.util.softmask(foreground, margin_foreground * background, power=power)
    return mask_background, mask_foreground


def centre_mask(mid: np.ndarray, side: np.ndarray, *, power: float = 1.0) -> np.ndarray:
    """How centre-panned each bin is, in [0, 1]: 1 where the side channel is silent.

    ``mid`` and ``side`` are magnitudes of ``(L + R) / 2`` and ``(L - R) / 2``; a source panned
    to the centre has no side energy, one panned hard left or right as much side as mid.
    """
    mid_p = np.power(mid, power)
    side_p = np.power(side, power)
    total = mid_p + side_p
    out = np.ones_like(mid)
    np.divide(mid_p - side_p, total, out=out, where=total > 1e-20)
    return np.clip(out, 0.0, 1.0)
