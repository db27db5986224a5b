"""Key and mode from madmom's convolutional key classifier."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from mirloop.signal import TrackContext
from mirloop.stages import Backend
from mirloop.types import Key, KeyEstimate

from mirloop_madmom.runtime import MODEL_SR, cached, madmom, signal_of

#: madmom's 24 key classes in output order, as mirloop keys (its Db/D#/G# spelled C#/Eb/Ab).
KEYS: tuple[Key, ...] = tuple(
    Key(tonic, mode)
    for mode, tonics in (
        ("major", ("A", "Bb", "B", "C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab")),
        ("minor", ("A", "Bb", "B", "C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab")),
    )
    for tonic in tonics
)


class MadmomKey(Backend):
    """Track and window keys from madmom's CNN key recogniser (Korzeniowski & Widmer 2018).

    The network reads a log-frequency spectrogram of the 44.1-kHz signal and outputs a
    probability for each of 24 keys; the track key is its answer on the whole track, each
    window's key its answer on the window's audio. Confidence is the winning probability.
    """

    name: ClassVar[str] = "madmom"
    stage: ClassVar[str] = "key"
    summary: ClassVar[str] = "madmom CNN key recognition, 24 keys (models CC BY-NC-SA)"

    def estimate_key(self, ctx: TrackContext) -> KeyEstimate:
        madmom()
        from madmom.features.key import CNNKeyRecognitionProcessor

        recognise = cached(ctx, "key-processor", CNNKeyRecognitionProcessor)
        signal = signal_of(ctx)
        track = _probabilities(recognise(signal))
        windows = []
        for start, end in zip(ctx.grid.starts, ctx.grid.ends, strict=True):
            a, b = int(start * MODEL_SR), int(end * MODEL_SR)
            windows.append(_probabilities(recognise(signal[a: max(b, a + MODEL_SR)])))
        return KeyEstimate(
            key=KEYS[int(np.argmax(track))],
            confidence=float(np.max(track)),
            window_keys=tuple(KEYS[int(np.argmax(p))] for p in windows),
            window_confidence=np.array([float(np.max(p)) for p in windows]),
        )


def _probabilities(output: object) -> np.ndarray:
    """The 24 key probabilities of one network output, finite and summing to 1."""
    values = np.nan_to_num(np.asarray(output, dtype=np.float64).reshape(-1)[:24], nan=0.0)
    total = values.sum()
    return values / total if total > 0 else np.full(24, 1.0 / 24)
