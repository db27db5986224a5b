"""tempo-cnn's input: 40-band magnitude mel spectra at 11025 Hz, in 256-frame windows.

As ``tempocnn.feature.read_features``: the signal resampled to 11025 Hz, an STFT of 1024 samples
with a hop of 512 (46 ms), 40 mel bands from 20 to 5000 Hz on the magnitude spectrum; windows of
256 frames (11.9 s) every 128 frames (5.9 s), the signal zero-padded to one window when shorter.
"""

from __future__ import annotations

import numpy as np

#: Sample rate of the network's input.
SR = 11025
#: STFT hop, in samples at :data:`SR`.
HOP = 512
#: Frames per network window, and frames between window starts.
WINDOW_FRAMES = 256
WINDOW_HOP = 128
#: Model families trained on standardised input (the others divide by the maximum).
STANDARDISED = ("dt_maz", "deeptemp", "deepsquare", "shallowtemp")


def mel_windows(samples: np.ndarray, sr: int) -> np.ndarray:
    """The network input for mono ``samples`` at ``sr`` Hz: ``(windows, 40, 256, 1)`` float32."""
    import librosa

    y = (
        librosa.resample(np.asarray(samples, dtype=np.float32), orig_sr=sr, target_sr=SR)
        if sr != SR
        else samples
    )
    mel = librosa.feature.melspectrogram(
        y=y, sr=SR, n_fft=1024, hop_length=HOP, power=1, n_mels=40, fmin=20, fmax=5000
    )
    if mel.shape[1] < WINDOW_FRAMES:
        mel = np.pad(mel, ((0, 0), (0, WINDOW_FRAMES - mel.shape[1])))
    starts = range(0, (mel.shape[1] - WINDOW_FRAMES) // WINDOW_HOP * WINDOW_HOP + 1, WINDOW_HOP)
    return np.stack([mel[:, s : s + WINDOW_FRAMES] for s in starts])[..., None].astype(np.float32)


def window_centres(n_windows: int) -> np.ndarray:
    """Centre time (s) of each network window."""
    return (np.arange(n_windows) * WINDOW_HOP + WINDOW_FRAMES / 2) * HOP / SR


def normalise(windows: np.ndarray, model: str) -> np.ndarray:
    """tempo-cnn's normalisation for ``model``: over all windows at once, as its classifier does."""
    if any(family in model for family in STANDARDISED):
        data = windows.astype(np.float64)
        std = float(np.std(data))
        if std != 0.0:
            data = (data - np.mean(data)) / std
        return data.astype(np.float16).astype(np.float32)  # tempo-cnn rounds these to float16
    peak = float(np.max(windows))
    return windows / peak if peak != 0 else windows
