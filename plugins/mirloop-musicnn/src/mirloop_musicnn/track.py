"""A track's musicnn outputs, computed once per :class:`~mirloop.signal.TrackContext`.

The log-mel patches and each model's per-patch outputs are cached on the context (in a weak
mapping, so they go when the context goes), as the context caches its own representations:
the feature extractor with several tag groups, or two extractors on one track, share them.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
from mirloop.signal import TrackContext
from mirloop.signal.sample_file import spills
from mirloop.types import Grid

from mirloop_musicnn.melspec import Patches, cut_patches, log_mel
from mirloop_musicnn.network import NetworkOutput
from mirloop_musicnn.weights import MusicnnModel

_CACHE: weakref.WeakKeyDictionary[TrackContext, dict[Any, Any]] = weakref.WeakKeyDictionary()


def _cached(ctx: TrackContext, key: Any, compute: Any) -> Any:
    store = _CACHE.setdefault(ctx, {})
    if key not in store:
        store[key] = compute()
    return store[key]


def track_patches(ctx: TrackContext, *, hop_seconds: float) -> Patches:
    """musicnn's log-mel patches of the context's signal, every ``hop_seconds``."""
    spill = spills(len(ctx.samples))
    mel = _cached(ctx, "log_mel", lambda: log_mel(ctx.samples, ctx.sr, spill=spill))
    return _cached(ctx, ("patches", hop_seconds), lambda: cut_patches(mel, hop_seconds=hop_seconds))


def track_outputs(ctx: TrackContext, model: MusicnnModel, *, hop_seconds: float) -> NetworkOutput:
    """``model``'s tag probabilities and embeddings for every patch of the track."""
    patches = track_patches(ctx, hop_seconds=hop_seconds)
    key = ("outputs", model.name, str(model.path), model.sidecar["sha256"], hop_seconds)
    return _cached(ctx, key, lambda: model.of_patches(patches))


def window_members(centers: np.ndarray, grid: Grid) -> list[np.ndarray]:
    """For each grid window, the patches whose centre lies in ``[start, end)``; a window holding no
    centre (a track shorter than a patch, or a very short window) takes the patch nearest its centre."""
    members = []
    for start, end, middle in zip(grid.starts, grid.ends, grid.centers, strict=True):
        inside = np.flatnonzero((centers >= start) & (centers < end))
        members.append(inside if inside.size else np.array([int(np.argmin(np.abs(centers - middle)))]))
    return members


def window_means(values: np.ndarray, members: list[np.ndarray]) -> np.ndarray:
    """Mean of ``values`` ``(n_patches, d)`` over each window's patches: ``(n_windows, d)``."""
    return np.stack([values[index].mean(axis=0) for index in members]).astype(np.float64)
