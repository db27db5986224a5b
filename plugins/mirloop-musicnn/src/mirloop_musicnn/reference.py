"""The fixed reference signal on which ``setup`` records TensorFlow's outputs.

Ten seconds at 16 kHz, generated from a seeded NumPy generator (PCG64, stable across platforms
and NumPy versions): a bass and three-note chords of harmonic tones that change every 1.25 s,
with a kick and noise hats at 96 BPM. Its patches (every 2 s, plus one ending at the last frame)
are stored with the weights, so the NumPy network is compared with TensorFlow on the very same
input, without TensorFlow.
"""

from __future__ import annotations

import numpy as np

from mirloop_musicnn.melspec import SR, Patches, cut_patches, log_mel

SECONDS = 10.0
SEED = 2019
PATCH_HOP_SECONDS = 2.0


def reference_signal() -> np.ndarray:
    """The reference signal, float32 mono at 16 kHz, peak 0.8."""
    rng = np.random.default_rng(SEED)
    n = int(SECONDS * SR)
    t = np.arange(n) / SR
    signal = np.zeros(n)
    chord_samples = int(1.25 * SR)
    for start in range(0, n, chord_samples):
        root = 40 + int(rng.integers(0, 12))
        segment = slice(start, min(start + chord_samples, n))
        envelope = np.exp(-3.0 * (t[segment] - t[start]))
        for midi, level in ((root, 0.5), (root + 24, 0.3), (root + 28, 0.25), (root + 31, 0.25)):
            frequency = 440.0 * 2 ** ((midi - 69) / 12)
            signal[segment] += level * envelope * sum(
                np.sin(2 * np.pi * k * frequency * t[segment]) / k for k in range(1, 6)
            )
    beat = 60.0 / 96.0
    for onset in np.arange(0.0, SECONDS, beat / 2):
        first = int(onset * SR)
        length = min(int(0.15 * SR), n - first)
        decay = np.exp(-np.arange(length) / (0.02 * SR))
        if round(onset / beat * 2) % 2 == 0:
            sweep = np.sin(2 * np.pi * np.cumsum(np.linspace(120.0, 45.0, length)) / SR)
            signal[first : first + length] += 0.9 * sweep * decay
        else:
            signal[first : first + length] += 0.2 * rng.standard_normal(length) * decay
    return (0.8 * signal / np.max(np.abs(signal))).astype(np.float32)


def reference_patches() -> Patches:
    """musicnn's log-mel patches of :func:`reference_signal`."""
    return cut_patches(log_mel(reference_signal(), SR), hop_seconds=PATCH_HOP_SECONDS)
