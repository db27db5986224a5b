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
    onset_polyphony,
    semitone_spectrum,
)
from mirloop.errors import InvalidValueError
from mirloop.signal import TrackContext
from mirloop.testing.signals import _envelope, _tone, cadence, drum_pattern, silence
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


def melody(steps: list[int], *, seconds: float = 0.4, doubled: bool = True) -> TrackContext:
    """A line of bright tones from A3 (``steps`` in semitones), each ``seconds`` long, doubled an
    octave below."""
    n = round(seconds * SR)
    notes = []
    for step in steps:
        freq = 220.0 * 2 ** (step / 12)
        tone = _tone(freq, n, SR, 0.5) + (0.7 * _tone(freq / 2, n, SR, 0.5) if doubled else 0.0)
        notes.append(tone * _envelope(n, SR))
    samples = np.concatenate(notes)
    return TrackContext(Audio((0.8 * samples / np.abs(samples).max()).astype(np.float32), SR))


def polyphony(ctx: TrackContext) -> float | None:
    return onset_polyphony(note_chromas(ctx.constant_q.db, ctx.tuning, attack_lag=2)[1])


def test_a_melodic_line_starts_one_pitch_class_at_a_time() -> None:
    """Octave doubling folds into one pitch class; a line of single notes stays near 1."""
    line = [0, 2, 3, 5, 7, 5, 3, 2, 0, 7, 8, 7, 5, 3, 2, 0] * 2
    assert polyphony(melody(line)) <= 1.6
    assert polyphony(melody(line, doubled=False)) <= 1.6


@pytest.mark.parametrize("key", ["C", "E", "F#"])
def test_chords_start_several_pitch_classes_together_and_drums_nearly_all(key: str) -> None:
    """The triads' upper notes lose part of their rise to the bass's modelled partials (these
    tones' partials fall off faster than the model's), so a cadence reads 1.9-2.6, not 3-4."""
    assert polyphony(TrackContext(cadence(key, "major"))) >= 1.9
    assert polyphony(TrackContext(cadence(key, "minor"))) >= 2.3
    assert polyphony(TrackContext(drum_pattern(120, 8.0))) >= 8


def test_nothing_rising_has_no_polyphony() -> None:
    assert polyphony(TrackContext(silence(3.0))) is None
    assert onset_polyphony(np.zeros((12, 0))) is None
