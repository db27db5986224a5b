"""The struck membranes of the taiko kit: inharmonic drum-head modes that decay, a pitch that
falls onto its rest value after the strike, and a kit that drops hi-hats."""

from __future__ import annotations

import numpy as np

from mirloop.renderer.membrane import MODE_RATIOS, TAIKO, membrane, taiko_drum
from mirloop.renderer.voices import drum_hit

SR = 22050


def _spectrum(mono: np.ndarray, n: int = 1 << 16) -> tuple[np.ndarray, np.ndarray]:
    padded = np.zeros(n)
    padded[: min(len(mono), n)] = mono[:n] * np.hanning(min(len(mono), n))
    return np.fft.rfftfreq(n, 1 / SR), np.abs(np.fft.rfft(padded))


def _peak_hz(mono: np.ndarray, low: float, high: float) -> float:
    freqs, mag = _spectrum(mono)
    band = (freqs >= low) & (freqs <= high)
    return float(freqs[band][np.argmax(mag[band])])


def test_a_membrane_rings_at_its_fundamental_and_its_inharmonic_second_mode() -> None:
    hit = membrane(SR, np.random.default_rng(0), hz=100.0, tau=0.6, rise=0.0, mallet=0.0)
    body = hit[int(0.05 * SR) :]
    assert abs(_peak_hz(body, 60, 130) - 100.0) < 2
    assert abs(_peak_hz(body, 130, 190) - 100.0 * MODE_RATIOS[1]) < 3  # 159 Hz, not a harmonic 200


def test_a_hard_strike_starts_sharp_and_falls_onto_its_pitch() -> None:
    hit = membrane(SR, np.random.default_rng(1), hz=100.0, tau=0.6, rise=0.15, mallet=0.0)
    early = _peak_hz(hit[: int(0.03 * SR)] * 1.0, 60, 140)
    late = _peak_hz(hit[int(0.2 * SR) : int(0.5 * SR)], 60, 140)
    assert early > late + 4 and abs(late - 100.0) < 3


def test_the_big_drum_is_low_and_dies_away() -> None:
    hit = taiko_drum("odaiko", SR, np.random.default_rng(2))
    freqs, mag = _spectrum(hit)
    assert float((freqs * mag).sum() / mag.sum()) < 400  # centroid
    rms = [float(np.sqrt(np.mean(hit[int(a * SR) : int((a + 0.2) * SR)] ** 2))) for a in (0.0, 3.0)]
    assert rms[1] < 0.1 * rms[0]
    assert TAIKO["odaiko"][0] < TAIKO["shime"][0]


def test_the_taiko_kit_is_seeded_and_drops_hi_hats() -> None:
    first = drum_hit("taiko", 36, 110, SR, np.random.default_rng(3))
    again = drum_hit("taiko", 36, 110, SR, np.random.default_rng(3))
    assert first is not None and again is not None
    assert first.shape[0] == 2 and first.tobytes() == again.tobytes()
    assert drum_hit("taiko", 42, 110, SR, np.random.default_rng(3)) is None
    assert drum_hit("taiko", 49, 110, SR, np.random.default_rng(3)) is not None  # a crash cymbal stays
