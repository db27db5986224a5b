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

import numpy as np
from attrs import frozen

from mirloop_musicnn.network import N_FRAMES, N_MELS

#: musicnn's sample rate (Hz), FFT size and hop (samples).
SR, N_FFT, HOP = 16000, 512, 256
#: Spectrogram frames per second.
FRAME_RATE = SR / HOP
_FLOAT16_MAX = float(np.finfo(np.float16).max)


@frozen(eq=False)
class Patches:
    """Log-mel patches ``(n, 187, 96)`` and their start and centre times (seconds)."""

    values: np.ndarray
    starts: np.ndarray

    @property
    def centers(self) -> np.ndarray:
        return self.starts + (N_FRAMES / 2) / FRAME_RATE


def log_mel(samples: np.ndarray, sr: int) -> np.ndarray:
    """musicnn's log-mel spectrogram ``(n_frames, 96)`` of mono ``samples`` at ``sr`` Hz."""
    import librosa
    import soxr

    audio = np.asarray(samples, dtype=np.float32)
    if sr != SR:
        audio = np.asarray(soxr.resample(audio, sr, SR, quality="HQ"), dtype=np.float32)
    mel = librosa.feature.melspectrogram(y=audio, sr=SR, hop_length=HOP, n_fft=N_FFT, n_mels=N_MELS).T
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
    values = np.stack([mel[s : s + N_FRAMES] for s in starts])
    return Patches(values=values, starts=np.asarray(starts, dtype=np.float64) / FRAME_RATE)
