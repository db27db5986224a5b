"""Short generated audio files for tests (a few seconds each, written with soundfile)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf


def tone(
    seconds: float, sr: int, *, freq: float = 440.0, channels: int = 1, amplitude: float = 0.5
) -> np.ndarray:
    """A sine of ``freq`` Hz, ``(n,)`` or ``(n, channels)`` with channel ``c`` scaled by ``1 / (c + 1)``."""
    t = np.arange(round(seconds * sr)) / sr
    mono = (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    if channels == 1:
        return mono
    return np.stack([mono / (c + 1) for c in range(channels)], axis=1)


def pulse_track(seconds: float, sr: int = 22050, *, bpm: float = 120.0) -> np.ndarray:
    """Clicks on every beat over a quiet chord: enough structure for every analysis stage."""
    t = np.arange(round(seconds * sr)) / sr
    chord = sum(0.1 * np.sin(2 * np.pi * f * t) for f in (220.0, 277.18, 329.63))
    clicks = np.zeros_like(t)
    period = round(60.0 / bpm * sr)
    burst = np.exp(-np.arange(400) / 60.0) * np.sin(2 * np.pi * 1500 * np.arange(400) / sr)
    for start in range(0, len(t) - len(burst), period):
        clicks[start : start + len(burst)] += 0.6 * burst
    return (chord + clicks).astype(np.float32)


def write(path: Path, samples: np.ndarray, sr: int, **kwargs: object) -> Path:
    sf.write(str(path), samples, sr, **kwargs)  # type: ignore[arg-type]
    return path
