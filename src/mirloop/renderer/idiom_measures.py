"""Measures that show a mix idiom is in a render: side-chain pumping and bus distortion.

Used by the idiom tests and ``benchmarks/bench_idioms.py``; both take a stem (``(2, n)`` or mono
samples) so that the rest of the mix does not mask what is measured.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def kick_dip_db(samples: np.ndarray, sr: int, kicks: Sequence[float], *, hop: float = 0.005) -> float:
    """Median level change (dB) of a stem 10–40 ms after each kick (s) against 40–5 ms before it;
    kicks where the stem is silent beforehand (under −60 dBFS) are skipped (``nan`` if all are)."""
    mono = samples.mean(axis=0) if samples.ndim == 2 else samples
    mono = mono.astype(np.float64)
    step = max(1, int(hop * sr))
    frames = len(mono) // step
    level = 10 * np.log10(np.mean(mono[: frames * step].reshape(frames, step) ** 2, axis=1) + 1e-12)
    changes = []
    for kick in kicks:
        after = level[int((kick + 0.01) * sr / step) : int((kick + 0.04) * sr / step)]
        before = level[max(0, int((kick - 0.04) * sr / step)) : int((kick - 0.005) * sr / step)]
        if len(after) and len(before) and before.mean() > -60:
            changes.append(after.mean() - before.mean())
    return float(np.median(changes)) if changes else float("nan")


def crest_db(samples: np.ndarray) -> float:
    """Peak over RMS (dB) of the mono sum: a driven, clipped bus has a low crest factor."""
    mono = (samples.mean(axis=0) if samples.ndim == 2 else samples).astype(np.float64)
    rms = float(np.sqrt(np.mean(mono**2)))
    return float(20 * np.log10(np.abs(mono).max() / rms)) if rms > 0 else float("nan")


def harmonic_db(samples: np.ndarray, sr: int, f0: float, k: int) -> float:
    """Level (dB) of the ``k``-th harmonic of ``f0`` against the fundamental (Hann window)."""
    mono = (samples.mean(axis=0) if samples.ndim == 2 else samples).astype(np.float64)
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    bin_hz = sr / len(mono)

    def peak(f: float) -> float:
        centre = round(f / bin_hz)
        return float(spectrum[max(0, centre - 2) : centre + 3].max())

    return float(20 * np.log10(peak(k * f0) / peak(f0)))


def kick_times(midi: object) -> list[float]:
    """Kick onsets (s) of a ``pretty_midi.PrettyMIDI`` render score (GM notes 35 and 36)."""
    return sorted(
        {n.start for i in midi.instruments if i.is_drum for n in i.notes if n.pitch in (35, 36)}  # type: ignore[attr-defined]
    )
