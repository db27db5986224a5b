"""Note chroma: the pitch classes of the notes that explain a spectrum, without their harmonics."""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.backends.librosa.notes import (
    N_NOTES,
    harmonic_matrix,
    note_activations,
    note_chroma,
    note_chromas,
    semitone_spectrum,
)
from mirloop.errors import InvalidValueError
from mirloop.signal import TrackContext
from mirloop.testing.signals import _envelope, _tone
from mirloop.types import Audio

SR = 22050


def held_tone(midi: float, *, seconds: float = 3.0, brightness: float = 0.5) -> TrackContext:
    """One bright harmonic tone (partial k at k ** -brightness) held for ``seconds``."""
    n = round(seconds * SR)
    samples = _tone(440.0 * 2 ** ((midi - 69) / 12), n, SR, brightness) * _envelope(n, SR)
    return TrackContext(Audio((0.8 * samples / np.abs(samples).max()).astype(np.float32), SR))


def shares(chroma: np.ndarray) -> np.ndarray:
    total = chroma.sum(axis=1)
    return total / total.sum()


@pytest.mark.parametrize("midi", [48, 57, 62])
def test_a_bright_tone_is_its_own_pitch_class_not_its_fifth(midi: int) -> None:
    """The third harmonic of a note sounds its fifth: the CQT chroma holds it, the note chroma not."""
    ctx = held_tone(midi)
    tonic, fifth = midi % 12, (midi + 7) % 12
    cqt, notes = shares(ctx.constant_q.chroma), shares(note_chroma(ctx.constant_q.db, ctx.tuning))
    assert cqt[fifth] > 0.1  # the plain chroma hears a fifth that nobody plays
    assert notes[tonic] > 0.8
    assert notes[fifth] < cqt[fifth] / 3


def test_a_tone_45_cents_sharp_is_read_on_its_tempered_pitch_class() -> None:
    ctx = held_tone(57.45)  # A3, 45 cents sharp
    assert ctx.tuning == pytest.approx(0.45, abs=0.05)
    notes = shares(note_chroma(ctx.constant_q.db, ctx.tuning))
    assert int(np.argmax(notes)) == 9 and notes[9] > 0.7


def test_activations_of_a_modelled_note_are_that_note_alone() -> None:
    model = harmonic_matrix()
    played = np.zeros((N_NOTES, 2))
    played[[12, 40], [0, 1]] = [2.0, 0.5]
    np.testing.assert_allclose(note_activations(model @ played, model), played, atol=1e-5)


def test_activations_are_never_negative() -> None:
    rng = np.random.default_rng(0)
    assert note_activations(rng.random((N_NOTES, 50))).min() >= 0.0


def test_a_cqt_of_the_wrong_shape_is_rejected() -> None:
    with pytest.raises(InvalidValueError, match="216"):
        semitone_spectrum(np.zeros((84, 10)), 0.0)


def test_silence_has_no_notes() -> None:
    ctx = TrackContext(Audio(np.zeros(5 * SR, dtype=np.float32), SR))
    assert not note_chroma(ctx.constant_q.db, ctx.tuning).any()


def test_the_attack_chroma_counts_a_note_when_it_starts_not_while_it_rings() -> None:
    """A held A with a short C struck over it: the note chroma is mostly the A that rings on, the
    attack chroma gives the C about as much as the A (each starts once)."""
    n = round(3.0 * SR)
    a = _tone(220.0, n, SR, 0.5) * _envelope(n, SR)
    c = np.zeros(n)
    start, length = round(1.5 * SR), round(0.4 * SR)
    c[start : start + length] = _tone(261.63, length, SR, 0.5) * _envelope(length, SR)
    samples = (0.4 * a / np.abs(a).max() + 0.4 * c / np.abs(c).max()).astype(np.float32)
    ctx = TrackContext(Audio(samples, SR))
    notes, attacks = note_chromas(ctx.constant_q.db, ctx.tuning, attack_lag=2)
    assert shares(notes)[9] > 2 * shares(notes)[0]  # A rings three seconds, C sounds 0.4 s
    assert shares(attacks)[0] > 0.6 * shares(attacks)[9]
    onset = round(1.5 * ctx.chroma_frame_rate)
    steady = slice(round(0.6 * ctx.chroma_frame_rate), onset - 3)  # the A held, nothing starts
    assert attacks[:, steady].sum() < 0.1 * attacks[:, onset - 1 : onset + 4].sum()
    assert np.array_equal(note_chromas(ctx.constant_q.db, ctx.tuning)[1], np.zeros_like(attacks))


def test_the_attack_chroma_does_not_depend_on_the_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    from mirloop.backends.librosa import notes as module

    ctx = held_tone(57, seconds=2.0)
    whole = note_chromas(ctx.constant_q.db, ctx.tuning, attack_lag=2)
    monkeypatch.setattr(module, "BLOCK_FRAMES", 5)
    blocked = note_chromas(ctx.constant_q.db, ctx.tuning, attack_lag=2)
    np.testing.assert_allclose(blocked[0], whole[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(blocked[1], whole[1], rtol=1e-5, atol=1e-6)
