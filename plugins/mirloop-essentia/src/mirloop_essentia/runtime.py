"""Importing Essentia quietly, and the signals its algorithms expect."""

from __future__ import annotations

from types import ModuleType

import numpy as np
from mirloop.errors import PluginError

#: Sample rate assumed by Essentia's rhythm extractors, in Hz.
RHYTHM_SR = 44100


def standard() -> ModuleType:
    """``essentia.standard`` with Essentia's info logging switched off."""
    try:
        import essentia
        import essentia.standard as es
    except ImportError as exc:  # pragma: no cover - the plugin's own dependency
        raise PluginError(
            f"the essentia backends need the 'essentia' package ({exc}); "
            "install it with: pip install ./plugins/mirloop-essentia"
        ) from exc
    essentia.log.infoActive = False
    essentia.log.warningActive = False
    return es


def at_rhythm_rate(samples: np.ndarray, sr: int) -> np.ndarray:
    """``samples`` resampled to :data:`RHYTHM_SR` (polyphase), float32 and contiguous."""
    from math import gcd

    from scipy.signal import resample_poly

    if sr == RHYTHM_SR:
        return np.ascontiguousarray(samples, dtype=np.float32)
    common = gcd(RHYTHM_SR, sr)
    resampled = resample_poly(samples, RHYTHM_SR // common, sr // common)
    return np.ascontiguousarray(resampled, dtype=np.float32)


def window_slices(starts: np.ndarray, ends: np.ndarray, sr: int, n_samples: int) -> list[slice]:
    """Sample slices of grid windows given in seconds."""
    return [
        slice(round(a * sr), max(round(a * sr) + 1, min(round(b * sr), n_samples)))
        for a, b in zip(starts, ends, strict=True)
    ]
