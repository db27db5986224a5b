"""Tuning: the offset of a detuned track is found, and the key finder reads the track in its own key."""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.backends.librosa.key import LibrosaKey
from mirloop.backends.librosa.profiles import key_templates
from mirloop.errors import InvalidValueError, OptionError
from mirloop.signal import TrackContext
from mirloop.signal.cqt import N_BINS, constant_q_kernel
from mirloop.signal.tuning import estimate_tuning, tuned_chroma
from mirloop.testing.signals import cadence
from mirloop.types import Audio, Key


def played_sharp(audio: Audio, cents: float) -> TrackContext:
    """``audio`` resampled so that it sounds ``cents`` higher at the same sample rate."""
    import soxr

    shifted = soxr.resample(audio.samples, audio.sr, audio.sr / 2.0 ** (cents / 1200.0))
    return TrackContext(Audio(np.asarray(shifted, dtype=np.float32), audio.sr))


@pytest.mark.parametrize("cents", [0.0, 25.0, 40.0, -40.0])
def test_the_tuning_offset_of_a_detuned_cadence_is_found(cents: float) -> None:
    ctx = played_sharp(cadence("D", "major"), cents)
    assert ctx.tuning == pytest.approx(cents / 100.0, abs=0.03)


@pytest.mark.parametrize("key", [Key("C", "major"), Key("F#", "major"), Key("Bb", "minor")], ids=str)
def test_a_cadence_45_cents_sharp_is_read_in_its_own_key(key: Key) -> None:
    ctx = played_sharp(cadence(key.tonic, key.mode), 45.0)
    assert LibrosaKey().estimate_key(ctx).key == key
    assert LibrosaKey().estimate_key(ctx).window_keys == (key,)


def test_without_tuning_correction_a_cadence_45_cents_sharp_is_misread() -> None:
    ctx = played_sharp(cadence("C", "major"), 45.0)
    assert LibrosaKey(tuning=False).estimate_key(ctx).key != Key("C", "major")
    assert LibrosaKey(tuning=False, notes_weight=0.0).estimate_key(ctx).key == Key("C", "minor")


@pytest.mark.parametrize("key", [Key("C", "major"), Key("F#", "major")], ids=str)
def test_the_note_chroma_reads_a_cadence_45_cents_sharp_in_its_own_key_only_with_tuning(key: Key) -> None:
    ctx = played_sharp(cadence(key.tonic, key.mode), 45.0)
    assert LibrosaKey(notes_weight=1.0).estimate_key(ctx).key == key
    assert LibrosaKey(notes_weight=1.0, tuning=False).estimate_key(ctx).key != key


def test_in_tune_the_corrected_chroma_is_the_plain_chroma() -> None:
    rng = np.random.default_rng(0)
    magnitude = rng.random((N_BINS, 40)).astype(np.float32)
    fine = magnitude.reshape(6, 36, 40).sum(axis=0)
    expected = constant_q_kernel(22050, 2048).to_chroma @ magnitude
    np.testing.assert_allclose(tuned_chroma(fine, 0.0), expected, rtol=1e-5)


def test_a_third_of_a_semitone_moves_the_fine_bins_by_one() -> None:
    fine = np.zeros((36, 1))
    fine[3 * 9 + 1] = 1.0  # A, one bin (a third of a semitone) sharp
    assert estimate_tuning(fine) == pytest.approx(1 / 3)
    chroma = tuned_chroma(fine, 1 / 3)
    assert int(np.argmax(chroma[:, 0])) == 9
    np.testing.assert_allclose(chroma.sum(), 1.0)


def test_silence_has_no_tuning_and_a_wrong_shape_is_one_clear_error() -> None:
    assert estimate_tuning(np.zeros((36, 10))) == 0.0
    with pytest.raises(InvalidValueError, match=r"shape \(36, n\)"):
        estimate_tuning(np.zeros((12, 10)))


def test_harmonic_templates_give_the_fifth_of_each_pitch_class_weight() -> None:
    plain, sounded = key_templates("edma"), key_templates("edma", harmonics=4)
    c_major = 0
    # relative to the tonic, the dominant (7 semitones up) gains from the tonic's third harmonic
    assert sounded[c_major, 7] - sounded[c_major, 0] > plain[c_major, 7] - plain[c_major, 0]
    np.testing.assert_allclose(key_templates("edma", harmonics=1), plain)


def test_fewer_than_one_harmonic_is_rejected() -> None:
    with pytest.raises(OptionError, match="harmonics must be at least 1"):
        LibrosaKey(harmonics=0)
    with pytest.raises(InvalidValueError, match="harmonics must be at least 1"):
        key_templates("edma", harmonics=0)
