"""Load an audio file as float32 samples at the analysis rate, in bounded memory.

The file is decoded by libsndfile (WAV, FLAC, OGG/Vorbis, Opus, MP3, AIFF…) block by block;
each block is mixed down to mono (when asked) and pushed through a streaming soxr resampler
into one preallocated output array. Peak memory is therefore the output array plus a few
blocks, whatever the length, rate and channel count of the file: a 30-minute 44.1 kHz stereo
file loads at 22050 Hz mono with about 160 MB of samples (see :mod:`mirloop.io.memory_check`).
Longer tracks go to a temporary file mapped read-only (:mod:`mirloop.signal.sample_file`), whose
pages the block-wise analysis passes release behind them.

Every problem with the file raises :class:`~mirloop.errors.AudioError` naming the file and
what to do. Damage is decoded as far as it goes and described in ``Audio.damage``; only damage
beyond a limit is refused (:mod:`mirloop.io.audio_damage`). Silence is *not* an error here: the
pipeline flags it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from mirloop.errors import AudioError
from mirloop.io.atomic import is_temporary
from mirloop.io.audio_damage import DamageLimit, FromOffset, UnfinishedWav, find_damage, unfinished_wav
from mirloop.limits import MAX_TRACK_HOURS
from mirloop.signal import ANALYSIS_SR, sample_file
from mirloop.signal.sample_file import SpilledSamples
from mirloop.types import Audio

#: Frames decoded per block (1.5 s at 44.1 kHz).
BLOCK_FRAMES = 65536
#: Sample rates (Hz) accepted from files.
MIN_SR, MAX_SR = 8000, 192000
_CONVERT_HINT = "convert it to WAV or FLAC, e.g. `ffmpeg -i INPUT output.flac`"


def load_audio(
    path: str | os.PathLike[str],
    *,
    sr: int | None = ANALYSIS_SR,
    mono: bool = True,
    damage_limit: DamageLimit | None = None,
) -> Audio:
    """Decode ``path`` into an :class:`~mirloop.types.Audio`.

    Parameters
    ----------
    path
        An audio file libsndfile can read (WAV, FLAC, OGG/Vorbis, Opus, MP3, AIFF, …) with a
        sample rate between 8 and 192 kHz and any number of channels.
    sr
        Output sample rate in Hz (default 22050, the analysis rate); ``None`` keeps the
        file's rate.
    mono
        Mix all channels down to one (their mean). Otherwise the samples have shape
        ``(channels, n)``.
    damage_limit
        How much of a damaged file may be missing before it is refused (default: from
        ``MIRLOOP_MAX_DAMAGE``, else 5 % or 10 s; see :mod:`mirloop.io.audio_damage`).

    Raises
    ------
    AudioError
        The file is missing, a directory, empty, not audio, a temporary file of mirloop's,
        damaged beyond the limit, holds no samples, holds NaN/inf samples, has a sample rate
        outside 8–192 kHz, or its header gives a length past :data:`mirloop.limits.MAX_TRACK_HOURS`.
    """
    file = Path(path)
    _check_is_readable_file(file)
    limit = damage_limit or DamageLimit.from_environment()
    if is_temporary(file):
        raise AudioError(
            f"{file}: is a temporary file an interrupted mirloop run was writing (.<name>.<random>.tmp…), "
            "not a track; analyse the finished file instead (the next run in that folder removes it)"
        )
    unfinished = unfinished_wav(file)
    sound = _open(file, unfinished)
    with sound:
        _check_header(file, sound)
        out_sr = int(sound.samplerate if sr is None else sr)
        if out_sr <= 0:
            raise AudioError(f"requested sample rate must be positive, got {sr}")
        samples, frames_read, error = _decode(file, sound, out_sr, mono)
        damage = find_damage(sound, frames_read, log=_decoder_log(sound), error=error, unfinished=unfinished)
    limit.check(file, damage)
    return Audio(samples, out_sr, str(file), damage)


def _open(file: Path, unfinished: UnfinishedWav | None) -> Any:
    """The file opened by libsndfile; an unfinished WAV as raw PCM from its data on."""
    import soundfile as sf

    if unfinished is not None:
        raw = FromOffset(file, unfinished.offset)
        try:
            return sf.SoundFile(raw, "r", unfinished.samplerate, unfinished.channels, unfinished.subtype,
                                "LITTLE", "RAW", closefd=False)
        except (RuntimeError, TypeError):
            raw.close()  # not readable as raw PCM after all: let libsndfile say what it sees
    try:
        return sf.SoundFile(str(file))
    except (RuntimeError, TypeError) as exc:
        raise AudioError(
            f"{file}: not a recognised audio file or an unsupported format{_decoder_detail(exc, file)}; "
            f"mirloop reads WAV, FLAC, OGG/Vorbis, Opus, MP3 and AIFF — {_CONVERT_HINT}"
        ) from exc


def _check_is_readable_file(file: Path) -> None:
    if not file.exists():
        where = "" if file.is_absolute() else f" (relative to {Path.cwd()})"
        raise AudioError(f"{file}: no such file{where}; check the path")
    if file.is_dir():
        raise AudioError(f"{file}: is a directory, not an audio file; pass the audio files inside it")
    if not os.access(file, os.R_OK):
        raise AudioError(f"{file}: permission denied; make the file readable")
    if file.stat().st_size == 0:
        raise AudioError(f"{file}: the file is empty (0 bytes); re-export or re-download it")


def _decoder_detail(exc: BaseException, file: Path) -> str:
    text = str(exc).replace(f"Error opening {str(file)!r}: ", "").strip()
    if not text or "does not exist" in text:  # libsndfile's wording when no decoder accepts the bytes
        return ""
    return f" (decoder: {text.rstrip('.')})"


def _check_header(file: Path, sound: Any) -> None:
    if not MIN_SR <= sound.samplerate <= MAX_SR:
        raise AudioError(
            f"{file}: sample rate {sound.samplerate} Hz is outside the supported {MIN_SR}–{MAX_SR} Hz; "
            f"resample it first, e.g. `ffmpeg -i INPUT -ar 44100 output.flac`"
        )
    if sound.frames <= 0:
        raise AudioError(f"{file}: holds no audio samples (zero length); re-export it with audio in it")
    # The output array is sized from the header: a length past the limit is refused before it.
    MAX_TRACK_HOURS.check(sound.frames / sound.samplerate / 3600, f"{file}: its header says it lasts",
                          error=AudioError)


def _decoder_log(sound: Any) -> str:
    try:
        return str(sound.extra_info)
    except Exception:  # the log is diagnostic only
        return ""


def _decode(file: Path, sound: Any, out_sr: int, mono: bool) -> tuple[np.ndarray, int, str | None]:
    """Read every block, mix down, resample into a preallocated array of shape ``(n,)`` or
    ``(ch, n)``; returns it, the frames decoded and the decoder error that stopped decoding early."""
    in_sr = int(sound.samplerate)
    frames_read = 0
    error: str | None = None

    def blocks() -> Iterator[np.ndarray]:
        nonlocal frames_read, error
        while True:
            try:
                block = sound.read(BLOCK_FRAMES, dtype="float32", always_2d=True)
            except RuntimeError as exc:  # keep what decoded; the damage is judged after
                error = str(exc)
                return
            if len(block) == 0:
                return
            if not np.isfinite(block).all():
                bad = int(np.argmax(~np.isfinite(block).all(axis=1)))
                raise AudioError(
                    f"{file}: holds NaN or infinite samples (first at {(frames_read + bad) / in_sr:.2f} s); "
                    f"the file is damaged — re-export it from the source"
                )
            frames_read += len(block)
            yield block

    samples = _mix_and_resample(blocks(), in_sr, out_sr, int(sound.channels), mono, int(sound.frames))
    if frames_read == 0:
        detail = f" (decoder: {error})" if error else ""
        raise AudioError(f"{file}: holds no audio samples that decode{detail}; re-export it with audio in it")
    return samples, frames_read, error


def _mix_and_resample(
    blocks: Iterable[np.ndarray], in_sr: int, out_sr: int, channels: int, mono: bool, frames: int
) -> np.ndarray:
    """``(frames, channels)`` blocks mixed down (when ``mono``) and resampled into one array."""
    out_channels = 1 if mono else channels
    resampler = _Resampler(in_sr, out_sr, out_channels)
    capacity = math.ceil(frames * out_sr / in_sr) + 64
    writer: _GrowingBuffer | SpilledSamples = (
        _GrowingBuffer(out_channels, capacity)
        if capacity * out_channels <= sample_file.IN_MEMORY_SAMPLES
        else SpilledSamples(out_channels)
    )
    for block in blocks:
        mixed = _mix_down(block) if mono else block
        writer.append(resampler.push(mixed))
    writer.append(resampler.flush())
    return writer.result()


def _mix_down(block: np.ndarray) -> np.ndarray:
    """The mean of the channels of a ``(frames, channels)`` block, ``(frames,)``.

    Bit for bit ``block.mean(axis=1)`` up to 7 channels (beyond, to float32 rounding), which
    sums each short row in a reduction loop of its own and costs ten times more than adding
    the columns.
    """
    mixed = np.array(block[:, 0], dtype=np.float32)
    if block.shape[1] > 1:
        for channel in range(1, block.shape[1]):
            mixed += block[:, channel]
        mixed /= np.float32(block.shape[1])
    return mixed


def as_loaded(
    samples: np.ndarray,
    sr: int,
    *,
    out_sr: int = ANALYSIS_SR,
    mono: bool = True,
    flac16: bool = False,
    source: str = "",
) -> Audio:
    """What :func:`load_audio` returns for a file of ``samples`` (``(frames,)`` or ``(frames,
    channels)`` floats at ``sr`` Hz), without writing or reading one: a float file, or with
    ``flac16`` a 16-bit FLAC file.

    libsndfile's FLAC encoder stores ``round(x · 32768)`` clipped to 16 bits, and the decoder
    divides by 32768; the same quantisation, mix-down and resampling are applied here. (Its
    WAV writer scales by 32767 instead, so ``flac16`` holds for FLAC only.)
    """
    data = np.asarray(samples, dtype=np.float32)
    data = data[:, None] if data.ndim == 1 else data
    if flac16:
        data = as_flac16(data)
    blocks = (data[i : i + BLOCK_FRAMES] for i in range(0, len(data), BLOCK_FRAMES))
    mixed = _mix_and_resample(blocks, int(sr), int(out_sr), data.shape[1], mono, len(data))
    return Audio(mixed, int(out_sr), source)


def as_flac16(samples: np.ndarray) -> np.ndarray:
    """Float32 ``samples`` as a 16-bit FLAC file written by libsndfile holds them and decodes them:
    ``round(x · 32768)`` clipped to 16 bits, divided by 32768 (each sample on its own, so a block
    at a time gives the same values)."""
    scale = np.float32(32768)
    return np.clip(np.rint(samples * scale), -32768, 32767).astype(np.float32) / scale


class _Resampler:
    """A soxr stream (or a pass-through when the rates match) over ``(n,)`` / ``(n, ch)`` blocks."""

    def __init__(self, in_sr: int, out_sr: int, channels: int) -> None:
        self._stream: Any = None
        self._empty = np.zeros(0 if channels == 1 else (0, channels), dtype=np.float32)
        if in_sr != out_sr:
            import soxr

            self._stream = soxr.ResampleStream(in_sr, out_sr, channels, dtype="float32", quality="HQ")

    def push(self, block: np.ndarray) -> np.ndarray:
        if self._stream is None:
            return block
        return np.asarray(self._stream.resample_chunk(np.ascontiguousarray(block), last=False))

    def flush(self) -> np.ndarray:
        if self._stream is None:
            return self._empty
        return np.asarray(self._stream.resample_chunk(self._empty, last=True))


class _GrowingBuffer:
    """Preallocated float32 output, ``(n,)`` or ``(ch, n)``; grows if the length estimate was short."""

    def __init__(self, channels: int, capacity: int) -> None:
        self.channels = channels
        shape = (capacity,) if channels == 1 else (channels, capacity)
        self.data = np.empty(shape, dtype=np.float32)
        self.size = 0

    def append(self, block: np.ndarray) -> None:
        n = int(block.shape[0])
        if n == 0:
            return
        if self.size + n > self.data.shape[-1]:
            self._grow(max(self.size + n, int(self.data.shape[-1] * 1.25)))
        if self.channels == 1:
            self.data[self.size : self.size + n] = block.reshape(n)
        else:
            self.data[:, self.size : self.size + n] = block.T
        self.size += n

    def _grow(self, capacity: int) -> None:
        shape = (capacity,) if self.channels == 1 else (self.channels, capacity)
        grown = np.empty(shape, dtype=np.float32)
        grown[..., : self.size] = self.data[..., : self.size]
        self.data = grown

    def result(self) -> np.ndarray:
        if self.size == self.data.shape[-1]:
            return self.data
        if self.channels == 1:
            self.data.resize(self.size, refcheck=False)  # shrinks in place, no copy
            return self.data
        return np.ascontiguousarray(self.data[:, : self.size])
