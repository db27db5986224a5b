"""musicnn's input: a log-compressed mel spectrogram cut into 3-s patches.

As ``musicnn/extractor.py`` (``batch_data``) computes it: mono audio at 16 kHz, librosa's mel
power spectrogram (512-point FFT, hop 256, 96 bands; 62.5 frames per second), cast to float16,
then ``log10(10000 · x + 1)``; patches of 187 frames (3 s). Two choices are mirloop's:

* the float16 cast is clipped to float16's largest value first (musicnn would turn louder bins
  into ``inf``);
* a signal shorter than one patch is repeated until it fills one (the ``repeat-pad`` the
  models were trained with, ``pad_short`` in their ``config.json``), so any track gets tags.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from attrs import frozen
from mirloop.signal.sample_file import SpilledColumns, release_before

from mirloop_musicnn.network import N_FRAMES, N_MELS

#: musicnn's sample rate (Hz), FFT size and hop (samples).
SR, N_FFT, HOP = 16000, 512, 256
#: Spectrogram frames per second.
FRAME_RATE = SR / HOP
_FLOAT16_MAX = float(np.finfo(np.float16).max)


@frozen(eq=False)
class Patches:
    """Log-mel patches of 187 frames, taken from ``mel`` ``(n_frames, 96)`` at the frames
    ``first_frames``: never copied whole, so their memory does not grow with the track."""

    mel: np.ndarray
    first_frames: np.ndarray

    def __len__(self) -> int:
        return len(self.first_frames)

    @property
    def starts(self) -> np.ndarray:
        """Each patch's start time (seconds)."""
        return self.first_frames.astype(np.float64) / FRAME_RATE

    @property
    def centers(self) -> np.ndarray:
        return self.starts + (N_FRAMES / 2) / FRAME_RATE

    def block(self, first: int, last: int) -> np.ndarray:
        """Patches ``first … last - 1`` as one float32 array ``(k, 187, 96)``."""
        frames = self.first_frames[first:last]
        out = np.empty((len(frames), N_FRAMES, N_MELS), dtype=np.float32)
        for row, start in enumerate(frames):
            out[row] = self.mel[start : start + N_FRAMES]
        return out

    def blocks(self, size: int) -> Iterator[np.ndarray]:
        """Every patch in order, ``size`` at a time (:meth:`block`); a spilled spectrogram's
        pages behind each block are released as it goes."""
        for first in range(0, len(self), size):
            yield self.block(first, first + size)
            following = first + size
            if following < len(self):
                release_before(self.mel.T, int(self.first_frames[following]))

    @property
    def values(self) -> np.ndarray:
        """All patches as one array ``(n, 187, 96)`` (a copy: for short signals)."""
        return self.block(0, len(self))


#: Longest signal (s) whose spectrogram is computed in one piece; a longer one is computed this
#: many seconds of frames at a time (its STFT alone would take about 460 MB an hour).
CHUNK_SECONDS = 600.0
#: Source samples resampled beyond each side of a chunk, so the resampler's filter sees the
#: same neighbourhood as in one piece (its support is a few milliseconds).
_MARGIN_SECONDS = 1.0


def log_mel(
    samples: np.ndarray, sr: int, *, chunk_seconds: float = CHUNK_SECONDS, spill: bool = False
) -> np.ndarray:
    """musicnn's log-mel spectrogram ``(n_frames, 96)`` of mono ``samples`` at ``sr`` Hz.

    A signal longer than ``chunk_seconds`` is resampled and transformed a chunk of frames at a
    time (each from its own stretch of ``samples``, which may be a mapped file, whose pages are
    released behind each chunk), so memory does not grow with the track; its frames equal the
    one-piece computation's to rounding. With ``spill`` (a long track's, see
    :func:`mirloop.signal.sample_file.spills`) the chunks go into an unlinked temporary file,
    returned mapped read-only, instead of RAM (35 MB of frames an hour).
    """
    if len(samples) <= chunk_seconds * sr:
        return _log_mel_piece(_resampled(np.asarray(samples, dtype=np.float32), sr), center=True)
    n16 = int(len(samples) * SR / sr + 0.5)  # the one-piece resampler's output length
    n_frames = 1 + n16 // HOP
    step = max(1, int(chunk_seconds * FRAME_RATE))
    spilled = SpilledColumns(N_MELS, n_frames) if spill else None
    pieces = []
    for f0 in range(0, n_frames, step):
        f1 = min(n_frames, f0 + step)
        # frame t covers 16-kHz samples [t·HOP − N_FFT/2, t·HOP + N_FFT/2), zeros outside the signal
        k0 = f0 * HOP - N_FFT // 2
        piece = _log_mel_piece(_window16(samples, sr, k0, (f1 - 1) * HOP + N_FFT // 2, n16), center=False)
        release_before(samples, int((k0 - _MARGIN_SECONDS * SR) * sr / SR) - 1)  # behind this chunk
        if spilled is not None:
            spilled.write(f0, piece.T)
        else:
            pieces.append(piece)
    release_before(samples, len(samples))
    return spilled.result().T if spilled is not None else np.concatenate(pieces)


def _resampled(audio: np.ndarray, sr: int) -> np.ndarray:
    import soxr

    if sr == SR:
        return audio
    return np.asarray(soxr.resample(audio, sr, SR, quality="HQ"), dtype=np.float32)


def _window16(samples: np.ndarray, sr: int, k0: int, k1: int, n16: int) -> np.ndarray:
    """16-kHz samples ``k0 … k1 - 1`` of ``samples`` (zeros outside ``0 … n16 - 1``), resampled
    from a stretch of the source that starts on a sample shared by both rates' grids."""
    from math import gcd

    period_src = sr // gcd(sr, SR)  # source samples between sample instants shared with 16 kHz
    period_16 = SR // gcd(sr, SR)
    margin = int(_MARGIN_SECONDS * SR)
    lo16 = max(0, k0 - margin) // period_16 * period_16
    s0 = lo16 // period_16 * period_src
    s1 = min(len(samples), int((min(n16, k1 + margin)) * sr / SR) + period_src + 1)
    stretch = _resampled(np.asarray(samples[s0:s1], dtype=np.float32), sr)
    out = np.zeros(k1 - k0, dtype=np.float32)
    a, b = max(k0, 0), min(k1, n16, lo16 + len(stretch))
    if b > a:
        out[a - k0 : b - k0] = stretch[a - lo16 : b - lo16]
    return out


def _log_mel_piece(audio: np.ndarray, *, center: bool) -> np.ndarray:
    import librosa

    mel = librosa.feature.melspectrogram(
        y=audio, sr=SR, hop_length=HOP, n_fft=N_FFT, n_mels=N_MELS, center=center
    ).T
    mel16 = np.minimum(mel, _FLOAT16_MAX).astype(np.float16)
    return np.log10(10000 * mel16.astype(np.float32) + 1).astype(np.float32)


def cut_patches(mel: np.ndarray, *, hop_seconds: float) -> Patches:
    """Patches of 187 frames every ``hop_seconds`` from the start, plus one ending at the last frame
    when the hop leaves the end uncovered; a spectrogram shorter than a patch is repeated to fill one."""
    if len(mel) < N_FRAMES:
        repeats = -(-N_FRAMES // max(len(mel), 1))
        mel = np.tile(mel, (repeats, 1))[:N_FRAMES] if len(mel) else np.zeros((N_FRAMES, N_MELS), np.float32)
    hop = max(1, round(hop_seconds * FRAME_RATE))
    starts = list(range(0, len(mel) - N_FRAMES + 1, hop))
    if starts[-1] + N_FRAMES < len(mel):
        starts.append(len(mel) - N_FRAMES)
    return Patches(mel=mel, first_frames=np.asarray(starts, dtype=np.int64))
