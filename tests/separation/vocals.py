"""Vocal-like test signals: sung formant vowels with vibrato, and espeak-ng speech."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

#: Formant frequencies (Hz) and bandwidths of a few sung vowels (F1, F2, F3).
VOWELS: dict[str, tuple[tuple[float, float], ...]] = {
    "a": ((800, 80), (1150, 90), (2900, 120)),
    "e": ((400, 60), (1700, 80), (2600, 100)),
    "i": ((300, 50), (2200, 100), (3000, 120)),
    "o": ((450, 70), (800, 80), (2830, 100)),
    "u": ((325, 50), (700, 60), (2530, 170)),
}


def sung_line(
    duration: float, *, sr: int = 22050, seed: int = 0, notes_per_second: float = 1.6
) -> np.ndarray:
    """A non-repeating melody of sung vowels: glottal pulses with 5.5-Hz vibrato through formants.

    Mono float64, peak 0.8. Each note draws a pitch (MIDI 55–74), a vowel and a length; short
    gaps separate phrases, as breaths do.
    """
    from scipy.signal import lfilter

    rng = np.random.default_rng(seed)
    n = round(duration * sr)
    out = np.zeros(n)
    t0 = 0.0
    names = list(VOWELS)
    while t0 < duration:
        length = float(rng.uniform(0.35, 1.2)) / notes_per_second * 1.6
        start, stop = round(t0 * sr), min(n, round((t0 + length) * sr))
        if stop - start > 256 and rng.random() > 0.15:
            m = np.arange(stop - start)
            f0 = 440.0 * 2 ** ((rng.integers(55, 75) - 69) / 12)
            vibrato = 1 + 0.012 * np.sin(2 * np.pi * 5.5 * m / sr + rng.uniform(0, 6.28))
            phase = np.cumsum(f0 * vibrato / sr)
            source = np.diff(np.floor(phase), prepend=0.0)  # one pulse per period
            source = lfilter([1.0], [1.0, -0.97], source)  # glottal tilt
            voice = np.zeros_like(source)
            for freq, bandwidth in VOWELS[names[int(rng.integers(len(names)))]]:
                r = np.exp(-np.pi * bandwidth / sr)
                theta = 2 * np.pi * freq / sr
                voice += lfilter([1 - r], [1.0, -2 * r * np.cos(theta), r * r], source)
            envelope = np.minimum(1.0, np.minimum(m, m[::-1]) / (0.04 * sr))
            out[start:stop] += voice * envelope
        t0 += length
    peak = float(np.max(np.abs(out))) or 1.0
    return 0.8 * out / peak


def espeak_speech(text: str, *, sr: int = 22050, duration: float | None = None) -> np.ndarray | None:
    """Speech from espeak-ng resampled to ``sr`` (``None`` when espeak-ng is not installed)."""
    if shutil.which("espeak-ng") is None:
        return None
    import soundfile as sf
    import soxr

    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "speech.wav"
        subprocess.run(["espeak-ng", "-s", "140", "-w", str(wav), text], check=True, capture_output=True)
        samples, rate = sf.read(str(wav), dtype="float64")
    samples = soxr.resample(samples, rate, sr)
    if duration is not None:
        n = round(duration * sr)
        samples = np.pad(samples, (0, max(0, n - len(samples))))[:n]
    peak = float(np.max(np.abs(samples))) or 1.0
    return 0.8 * samples / peak
