"""Note chroma: pitch classes of an approximate transcription, with the harmonics taken out.

The chroma folded from a spectrum holds every partial of every note: the third harmonic of a
note sounds its fifth (a twelfth above), the fifth harmonic its major third (two octaves and a
third above). A key finder reading that chroma hears the dominant of a melody's key and a major
third in a minor one; "a fifth above" is the most frequent miss of a plain chroma on real
timbres. The note chroma first explains the spectrum by notes and keeps only their fundamentals
(the idea of approximate transcription before the chroma, Mauch & Dixon 2010, *Approximate note
transcription for the improved identification of difficult chords*; here by harmonic
subtraction, Klapuri 2003, rather than by non-negative least squares):

1. the constant-Q magnitude (C2–C8, three bins per semitone) is moved by the track's tuning
   offset and summed into 72 semitones (each the bins on, just below and just above it);
2. from the lowest semitone up, each note's activation is what is left at its semitone after the
   partials of the notes below are taken away: a note at semitone *n* with activation *a* sounds
   partial *h* (``h = 2 … HARMONICS``) at semitone ``n + round(12·log2 h)`` with amplitude
   ``a · DECAY ** (h - 1)``, and an activation is never negative;
3. the activations fold into 12 pitch classes (C first).

One pass from the bottom up (a lower-triangular solve, clipped at zero), so the cost is a few
matrix-vector products per frame. ``HARMONICS`` and ``DECAY`` (12 partials decaying by 0.8 each)
were chosen among 4 × 4 values on half of the annotated compositions and checked on the other
half (docs/backends-comparison.md).
"""

from __future__ import annotations

import numpy as np

from mirloop.errors import InvalidValueError
from mirloop.signal.cqt import BINS_PER_OCTAVE, N_BINS

#: Semitones of the CQT (C2–C8) and bins per semitone.
N_NOTES = N_BINS * 12 // BINS_PER_OCTAVE
BINS_PER_SEMITONE = BINS_PER_OCTAVE // 12
#: Partials of the note model (the fundamental counts as the first) and their decay per partial.
HARMONICS = 12
DECAY = 0.8
#: Frames transformed at a time (bounds the memory of a long track's linear magnitudes).
BLOCK_FRAMES = 4096


def harmonic_matrix(harmonics: int = HARMONICS, decay: float = DECAY) -> np.ndarray:
    """``(72, 72)`` lower-triangular unit-diagonal matrix: column *n* is the note at semitone *n*
    with its partials ``2 … harmonics`` at ``decay ** (h - 1)`` (those above C8 are dropped)."""
    if harmonics < 1 or not 0.0 <= decay < 1.0:
        raise InvalidValueError(f"need harmonics >= 1 and 0 <= decay < 1, got {harmonics} and {decay}")
    model = np.zeros((N_NOTES, N_NOTES))
    for note in range(N_NOTES):
        for h in range(1, harmonics + 1):
            partial = note + round(12 * np.log2(h))
            if partial < N_NOTES:
                model[partial, note] += decay ** (h - 1)
    return model


def semitone_spectrum(cqt_db: np.ndarray, tuning: float, *, floor_db: float | None = None) -> np.ndarray:
    """``(72, n)`` linear magnitudes per semitone of a ``(216, n)`` CQT in dB whose pitches lie
    ``tuning`` semitones sharp (:func:`mirloop.signal.tuning.estimate_tuning`).

    Magnitudes are counted above ``floor_db`` (the CQT's floor, 80 dB below its maximum; default
    the least value of ``cqt_db``), so bins at the floor, and a silent track, are zero.
    """
    db = np.asarray(cqt_db, dtype=np.float32)
    if db.ndim != 2 or db.shape[0] != N_BINS:
        raise InvalidValueError(f"the CQT must have shape ({N_BINS}, n), got {db.shape}")
    floor = float(db.min()) if floor_db is None and db.size else (floor_db or 0.0)
    magnitude = np.power(np.float32(10.0), db / np.float32(20.0)) - np.float32(10.0 ** (floor / 20.0))
    np.maximum(magnitude, 0.0, out=magnitude)
    shift = tuning * BINS_PER_SEMITONE
    whole = int(np.floor(shift))
    frac = np.float32(shift - whole)
    # bin b of the tuned spectrum reads bin b + shift of the measured one (zero beyond the edges)
    padded = np.zeros((N_BINS + 4, db.shape[1]), dtype=np.float32)
    padded[2 : 2 + N_BINS] = magnitude
    start = 2 + whole
    tuned = (1 - frac) * padded[start : start + N_BINS] + frac * padded[start + 1 : start + 1 + N_BINS]
    # semitone s gathers bins 3s - 1, 3s and 3s + 1 (as the fine chroma's pitch classes)
    around = np.zeros_like(tuned)
    around[1:] = tuned[:-1]
    return around.reshape(N_NOTES, BINS_PER_SEMITONE, -1).sum(axis=1)


def note_activations(spectrum: np.ndarray, model: np.ndarray | None = None) -> np.ndarray:
    """``(72, n)`` non-negative note activations explaining a ``(72, n)`` semitone spectrum,
    solved from the lowest note up (see the module docstring)."""
    model = harmonic_matrix() if model is None else model
    x = np.asarray(spectrum, dtype=np.float32)
    lower = model.astype(np.float32)
    notes = np.zeros_like(x)
    for m in range(N_NOTES):
        explained = lower[m, :m] @ notes[:m] if m else np.float32(0.0)
        notes[m] = np.maximum(x[m] - explained, 0.0)
    return notes


def note_chroma(cqt_db: np.ndarray, tuning: float) -> np.ndarray:
    """``(12, n)`` pitch-class activations (C first) of a ``(216, n)`` CQT in dB, frame by frame
    as the CQT (not normalised); zero where the CQT is at its floor (silence)."""
    return note_chromas(cqt_db, tuning)[0]


def note_chromas(cqt_db: np.ndarray, tuning: float, *, attack_lag: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The note chroma (:func:`note_chroma`) and, with ``attack_lag`` frames, the *attack
    chroma*: each note's rise over the last ``attack_lag`` frames (``max(0, a[t] - a[t - lag])``),
    folded into pitch classes like the notes (``(12, n)``, zeros when ``attack_lag`` is 0).

    The attack chroma counts each note once, when it starts: a voice that rings on (piano,
    vibraphone) or is detuned in its SoundFont smears a melody note into the next in the note
    chroma, not in its onsets.
    """
    model = harmonic_matrix()
    n_frames = np.shape(cqt_db)[1]
    floor = float(np.min(cqt_db)) if n_frames else 0.0
    chroma = np.zeros((12, n_frames), dtype=np.float32)
    attacks = np.zeros((12, n_frames), dtype=np.float32)
    previous = np.zeros((N_NOTES, attack_lag), dtype=np.float32)  # the frames before the block
    for f0 in range(0, n_frames, BLOCK_FRAMES):
        block = slice(f0, min(f0 + BLOCK_FRAMES, n_frames))
        notes = note_activations(semitone_spectrum(cqt_db[:, block], tuning, floor_db=floor), model)
        chroma[:, block] = notes.reshape(N_NOTES // 12, 12, -1).sum(axis=0)
        if attack_lag:
            joined = np.concatenate([previous, notes], axis=1)
            rise = np.maximum(joined[:, attack_lag:] - joined[:, :-attack_lag], 0.0)
            if f0 == 0:
                rise[:, :attack_lag] = 0.0  # no frames before the track: its first notes do not rise
            attacks[:, block] = rise.reshape(N_NOTES // 12, 12, -1).sum(axis=0)
            previous = joined[:, -attack_lag:]
    return chroma, attacks


#: A pitch class starts with a frame's onset when it rises by at least this share of the frame's largest rise.
ONSET_SHARE = 0.3


def onset_polyphony(attacks: np.ndarray) -> float | None:
    """How many pitch classes start together in a track: for every frame of the ``(12, n)``
    attack chroma of :func:`note_chromas`, the pitch classes rising by at least
    :data:`ONSET_SHARE` of the frame's largest rise, averaged over the frames weighted by their
    total rise (strong onsets count most, the tails of decaying notes least). About 1.5 for a
    single melodic line (an octave doubling folds into one pitch class; the next note's rise
    overlaps the last one's tail); 1.9-2.6 for cadences of synthetic triads over a bass (the
    triads' upper notes lose part of their rise to the bass's modelled partials), a median of
    4.4-4.9 over mirloop's renders (one in twenty under 2.1-2.7); 9 or more for drums, which rise
    in every pitch class. ``None`` when nothing rises (silence, a held tone).
    """
    rise = np.asarray(attacks, dtype=np.float64)
    total = rise.sum(axis=0) if rise.size else np.zeros(0)
    onsets = total > 0
    if not np.any(onsets):
        return None
    frames = rise[:, onsets]
    starting = (frames >= ONSET_SHARE * frames.max(axis=0, keepdims=True)).sum(axis=0)
    return float((starting * total[onsets]).sum() / total[onsets].sum())
