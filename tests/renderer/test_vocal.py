"""The synthesised singing voice (``vocal``) of the genre production's pop: a glottal source
through the formants of a vowel, on the note's pitch, doubled, seeded."""

from __future__ import annotations

import numpy as np

from mirloop.renderer.vocal import VOCAL_RANGE, VOWELS, fold, sing, syllables, vocal
from mirloop.renderer.voices import hz
from tests.renderer.conftest import assert_seeded

SR = 22050


def _spectrum(mono: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    return np.fft.rfftfreq(len(mono), 1 / SR), spectrum


def _band_energy(mono: np.ndarray, low: float, high: float) -> float:
    freqs, spectrum = _spectrum(mono)
    return float(np.sum(spectrum[(freqs >= low) & (freqs < high)] ** 2))


def _vowel(vowel: str, pitch: int = 60) -> np.ndarray:
    note = sing(pitch, 1.0, SR, np.random.default_rng(3), vowels=(vowel, vowel), consonant="none")
    return note[int(0.3 * SR) : int(0.9 * SR)]  # the steady middle of the note


def test_a_note_is_byte_identical_for_the_same_seed_and_differs_for_another() -> None:
    assert_seeded(lambda rng: vocal(64, 100, 0.8, SR, rng))


def _share(mono: np.ndarray, low: float, high: float) -> float:
    return _band_energy(mono, low, high) / float(np.sum(mono**2))


def test_the_vowel_puts_energy_where_its_formants_are() -> None:
    male = VOWELS["male"]  # middle C is sung with a man's formants
    e, o, i, a = (_vowel(v) for v in "eoia")
    # "e" has its second formant near 1.8 kHz, "o" near 850 Hz
    assert 1600 < male["e"][0][1] < 2500 and 600 < male["o"][0][1] < 1100
    assert _share(e, 1600, 2500) > 3 * _share(o, 1600, 2500)
    # between its first two formants (530 and 1840 Hz) "e" has a valley where "o" does not
    assert _share(o, 1100, 1600) > 10 * _share(e, 1100, 1600)
    # "i" has a low first formant (270 Hz), "a" a high one (730 Hz)
    assert _share(i, 200, 500) > 20 * _share(a, 200, 500)


def test_the_open_vowel_has_its_spectral_peak_in_the_first_two_formants() -> None:
    freqs, spectrum = _spectrum(_vowel("a"))
    f1, f2 = VOWELS["male"]["a"][0][:2]
    peak = freqs[np.argmax(spectrum)]
    assert f1 * 0.7 < peak < f2 * 1.2


def test_the_voice_sings_the_pitch_of_its_note() -> None:
    middle = _vowel("o", pitch=64)
    ac = np.correlate(middle[:4000], middle[:8000], mode="valid")[::-1]  # lags 0 … 4000
    lags = np.arange(30, 400)
    peaks = [k for k in lags if ac[k] >= ac[k - 1] and ac[k] >= ac[k + 1] and ac[k] > 0.8 * ac[lags].max()]
    period = peaks[0]  # the shortest lag at which the waveform repeats
    assert abs(SR / period - hz(64)) / hz(64) < 0.03


def test_notes_are_folded_into_a_singers_range() -> None:
    assert [fold(p) for p in (40, 60, 88)] == [52, 60, 64]
    assert all(VOCAL_RANGE[0] <= fold(p) <= VOCAL_RANGE[1] for p in range(30, 100))


def test_a_long_note_is_sung_as_several_syllables_each_with_an_onset() -> None:
    assert syllables(0.2) == 1 and syllables(1.2) == 4
    note = vocal(62, 110, 1.2, SR, np.random.default_rng(1))[0]
    frame = int(0.01 * SR)
    rms = np.sqrt(np.convolve(note**2, np.ones(frame) / frame, mode="same"))
    steady = np.median(rms[int(0.1 * SR) : int(1.1 * SR)])
    dips = rms[int(0.25 * SR) : int(1.0 * SR)] < 0.6 * steady  # between syllables the level drops
    assert dips.any()


def test_the_double_widens_the_voice_without_making_two_voices() -> None:
    left, right = vocal(67, 100, 1.0, SR, np.random.default_rng(2))
    correlation = float(np.corrcoef(left, right)[0, 1])
    assert 0.4 < correlation < 0.99
