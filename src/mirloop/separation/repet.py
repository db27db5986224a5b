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

from mirloop.separation.masks import centre_mask, repeating_background, soft_masks
from mirloop.signal.sample_file import SpilledSamples, release_before, spills
from mirloop.types import Audio


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
    A final chunk shorter than half a block joins the previous one. The mid and side signals
    and both stems are made a chunk at a time too; a long track's stems
    (:func:`mirloop.signal.sample_file.spills`, as its decoded samples) go to mapped temporary
    files, and its samples are released behind the chunks. Every value is the one computed on
    the whole arrays, bit for bit.
    """
    settings = settings or RepetSettings()
    scale = max(1, round(audio.sr / 22050))
    n_fft, hop = settings.n_fft * scale, settings.hop * scale
    samples = audio.samples.astype(np.float32, copy=False)
    n = samples.shape[-1]
    stems = _StemWriter(samples, spill=spills(samples.size))
    starts: list[int] = []
    if n >= n_fft and _any_mid(samples):
        block = max(int(settings.block * audio.sr), 8 * n_fft)
        starts = list(range(0, n, block))
        if len(starts) > 1 and n - starts[-1] < block // 2:
            starts.pop()
    for index, start in enumerate(starts):
        stop = n if index == len(starts) - 1 else start + block
        lo, hi = max(0, start - n_fft), min(n, stop + n_fft)
        mid, side = _mid_side(samples[..., lo:hi])
        chunk = _vocals(mid, side, audio.sr, n_fft, hop, settings)
        stems.add(start, stop, chunk[start - lo : stop - lo])
        release_before(samples, lo)  # a spilled track's pages behind this chunk
    if not starts:  # too short, or silent in the middle: no vocals
        stems.add(0, n, np.zeros(n, dtype=np.float32))
    accompaniment, vocals = stems.result()
    return {
        "accompaniment": Audio(accompaniment, audio.sr, audio.source),
        "vocals": Audio(vocals, audio.sr, audio.source),
    }


def _mid_side(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """The mid signal (the mean of the channels) and, of a stereo signal, the side ``(L - R) / 2``."""
    mid = samples.mean(axis=0) if samples.ndim == 2 else samples
    side = 0.5 * (samples[0] - samples[1]) if samples.ndim == 2 and samples.shape[0] == 2 else None
    return mid, side


def _any_mid(samples: np.ndarray, *, block: int = 1 << 20) -> bool:
    """Whether the mid signal has a non-zero sample, read a block at a time."""
    for start in range(0, samples.shape[-1], block):
        if np.any(_mid_side(samples[..., start : start + block])[0]):
            return True
        release_before(samples, start)
    return False


class _StemWriter:
    """The vocal estimate (the same in every channel) and the input minus it, received a chunk of
    samples at a time, in order: in RAM, or with ``spill`` in mapped temporary files (the
    vocals once, shown in every channel)."""

    def __init__(self, samples: np.ndarray, *, spill: bool) -> None:
        self.samples = samples
        self.channels = 1 if samples.ndim == 1 else samples.shape[0]
        self.spilled = (SpilledSamples(self.channels), SpilledSamples(1)) if spill else None
        if self.spilled is None:
            self.vocals = np.zeros(samples.shape[-1], dtype=np.float32)

    def add(self, start: int, stop: int, vocals: np.ndarray) -> None:
        if self.spilled is None:
            self.vocals[start:stop] = vocals
            return
        accompaniment = self.samples[..., start:stop] - vocals
        self.spilled[0].append(accompaniment.T)
        self.spilled[1].append(vocals)

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """``(accompaniment, vocals)``, each of the input's shape."""
        shape = self.samples.shape
        if self.spilled is None:
            vocals = np.broadcast_to(self.vocals, shape).astype(np.float32)
            return (self.samples - vocals).astype(np.float32), vocals
        return self.spilled[0].result(), np.broadcast_to(self.spilled[1].result(), shape)


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
