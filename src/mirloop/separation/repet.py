"""REPET-SIM vocal suppression with mid/side cancellation for stereo input.

Mono input: the vocal estimate is the foreground soft mask applied to the mix. Stereo input:
the same masks are computed on the mid signal ``(L + R) / 2`` and further weighted by how
centre-panned each bin is (:func:`~mirloop.separation.masks.centre_mask`); the vocal estimate
is subtracted from both channels, so side (wide-panned) content stays in the accompaniment.
Accompaniment plus vocals equals the input exactly (up to float rounding).
"""

from __future__ import annotations

import numpy as np
from attrs import frozen

from mirloop.model import Audio
from mirloop.separation.masks import centre_mask, repeating_background, soft_masks


@frozen
class RepetSettings:
    """STFT and mask settings.

    ``n_fft``/``hop`` in samples at 22050 Hz (scaled with the input rate); ``min_gap`` and
    ``block`` (the chunk processed at once; repetitions are found within it) in seconds;
    ``margin_*`` are the softmask margins of librosa's example (a larger vocal margin keeps only
    clearly non-repeating energy as vocals).
    """

    n_fft: int = 2048
    hop: int = 512
    min_gap: float = 1.0
    block: float = 30.0
    margin_accompaniment: float = 2.0
    margin_vocals: float = 1.5
    centre_power: float = 1.0


def separate_repet(audio: Audio, settings: RepetSettings | None = None) -> dict[str, Audio]:
    """``{"accompaniment", "vocals"}`` of ``audio`` (same rate, length and channels).

    The signal is processed in chunks of ``settings.block`` seconds (each padded by one FFT
    length on both sides, the padding discarded), so memory stays bounded whatever the length.
    A final chunk shorter than half a block joins the previous one.
    """
    settings = settings or RepetSettings()
    scale = max(1, round(audio.sr / 22050))
    n_fft, hop = settings.n_fft * scale, settings.hop * scale
    samples = audio.samples.astype(np.float32)
    mid = samples.mean(axis=0) if samples.ndim == 2 else samples
    side = 0.5 * (samples[0] - samples[1]) if samples.ndim == 2 and samples.shape[0] == 2 else None
    n = mid.shape[-1]
    vocals = np.zeros_like(mid)
    if n < n_fft or not np.any(mid):
        return _stems(audio, samples, vocals)
    block = max(int(settings.block * audio.sr), 8 * n_fft)
    starts = list(range(0, n, block))
    if len(starts) > 1 and n - starts[-1] < block // 2:
        starts.pop()
    for index, start in enumerate(starts):
        stop = n if index == len(starts) - 1 else start + block
        lo, hi = max(0, start - n_fft), min(n, stop + n_fft)
        chunk = _vocals(mid[lo:hi], None if side is None else side[lo:hi], audio.sr, n_fft, hop, settings)
        vocals[start:stop] = chunk[start - lo : stop - lo]
    return _stems(audio, samples, vocals)


def _vocals(
    mid: np.ndarray, side: np.ndarray | None, sr: int, n_fft: int, hop: int, settings: RepetSettings
) -> np.ndarray:
    """The vocal estimate (mono) of one chunk of the mid signal."""
    import librosa

    n = len(mid)
    if n < n_fft or not np.any(mid):
        return np.zeros_like(mid)
    mid_stft = librosa.stft(mid, n_fft=n_fft, hop_length=hop)
    magnitude = np.abs(mid_stft)
    frames_per_second = sr / hop
    background = repeating_background(
        magnitude,
        frames_per_block=magnitude.shape[1],
        min_gap_frames=max(1, int(settings.min_gap * frames_per_second)),
    )
    _, vocal_mask = soft_masks(
        magnitude,
        background,
        margin_background=settings.margin_accompaniment,
        margin_foreground=settings.margin_vocals,
    )
    del background
    if side is not None:
        side_magnitude = np.abs(librosa.stft(side, n_fft=n_fft, hop_length=hop))
        vocal_mask *= centre_mask(magnitude, side_magnitude, power=settings.centre_power)
        del side_magnitude
    return np.asarray(librosa.istft(vocal_mask * mid_stft, hop_length=hop, length=n), dtype=np.float32)


def _stems(audio: Audio, samples: np.ndarray, vocals_mono: np.ndarray) -> dict[str, Audio]:
    """The vocal estimate placed in every channel, and the input minus it."""
    vocals = np.broadcast_to(vocals_mono, samples.shape).astype(np.float32)
    accompaniment = (samples - vocals).astype(np.float32)
    return {
        "accompaniment": Audio(accompaniment, audio.sr, audio.source),
        "vocals": Audio(vocals, audio.sr, audio.source),
    }
