"""Load an audio file as float32 samples at the analysis rate, in bounded memory.

The file is decoded by libsndfile (WAV, FLAC, OGG/Vorbis, Opus, MP3, AIFF…) block by block;
each block is mixed down to mono (when asked) and pushed through a streaming soxr resampler
into one preallocated output array. Peak memory is therefore the output array plus a few
blocks, whatever the length, rate and channel count of the file: a 60-minute 44.1 kHz stereo
file loads at 22050 Hz mono with about 320 MB of samples (see :mod:`mirloop.io.memory_check`).

Every problem with the file raises :class:`~mirloop.errors.AudioError` naming the file and
what to do. Silence is *not* an error here: the pipeline flags it.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from mirloop.errors import AudioError
from mirloop.limits import MAX_TRACK_HOURS
from mirloop.model import Audio
from mirloop.signal import ANALYSIS_SR

#: Frames decoded per block (1.5 s at 44.1 kHz).
BLOCK_FRAMES = 65536
#: Sample rates (Hz) accepted from files.
MIN_SR, MAX_SR = 8000, 192000
#: Formats whose frame count is only estimated by the decoder; a small shortfall is tolerated.
_ESTIMATED_LENGTH_FORMATS = ("MP3", "MPEG")
_ESTIMATE_TOLERANCE = 0.01
#: Ogg Vorbis takes its length from the last page's granule position, which can promise up to one
#: (long) Vorbis block more than the decoder delivers; a shortfall of this many frames is not damage.
_OGG_TOLERANCE_FRAMES = 2048
#: libsndfile log lines that reveal a damaged file even when it opens.
_DAMAGE_MARKERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"data\s*:\s*\d+\s*\(should be \d+\)"),
        "truncated (the header promises more audio than the file holds)",
    ),
    (re.compile(r"File ended unexpectedly"), "truncated (the stream ends without its end marker)"),
    (re.compile(r"reports a hole"), "corrupt (part of the stream is missing)"),
)
_CONVERT_HINT = "convert it to WAV or FLAC, e.g. `ffmpeg -i INPUT output.flac`"


def load_audio(
    path: str | os.PathLike[str],
    *,
    sr: int | None = ANALYSIS_SR,
    mono: bool = True,
) -> Audio:
    """Decode ``path`` into an :class:`~mirloop.model.Audio`.

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

    Raises
    ------
    AudioError
        The file is missing, a directory, empty, not audio, truncated or corrupt, holds no
        samples, holds NaN/inf samples, has a sample rate outside 8–192 kHz, or its header
        gives a length past :data:`mirloop.limits.MAX_TRACK_HOURS`.
    """
    import soundfile as sf

    file = Path(path)
    _check_is_readable_file(file)
    try:
        sound = sf.SoundFile(str(file))
    except (RuntimeError, TypeError) as exc:
        raise AudioError(
            f"{file}: not a recognised audio file or an unsupported format{_decoder_detail(exc, file)}; "
            f"mirloop reads WAV, FLAC, OGG/Vorbis, Opus, MP3 and AIFF — {_CONVERT_HINT}"
        ) from exc
    with sound:
        _check_header(file, sound)
        out_sr = int(sound.samplerate if sr is None else sr)
        if out_sr <= 0:
            raise AudioError(f"requested sample rate must be positive, got {sr}")
        samples = _decode(file, sound, out_sr, mono)
    return Audio(samples, out_sr, str(file))


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
    log = _decoder_log(sound)
    for pattern, problem in _DAMAGE_MARKERS:
        if pattern.search(log):
            raise AudioError(f"{file}: the file is {problem}; re-export or re-download it")
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


def _decode(file: Path, sound: Any, out_sr: int, mono: bool) -> np.ndarray:
    """Read every block, mix down, resample into a preallocated array; shape ``(n,)`` or ``(ch, n)``."""
    in_sr = int(sound.samplerate)
    frames_read = 0

    def blocks() -> Iterator[np.ndarray]:
        nonlocal frames_read
        while True:
            try:
                block = sound.read(BLOCK_FRAMES, dtype="float32", always_2d=True)
            except RuntimeError as exc:
                raise AudioError(
                    f"{file}: decoding failed at {frames_read / in_sr:.1f} s ({exc}); the file is truncated "
                    f"or corrupt — re-export or re-download it"
                ) from exc
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
    _check_complete(file, sound, frames_read)
    return samples


def _mix_and_resample(
    blocks: Iterable[np.ndarray], in_sr: int, out_sr: int, channels: int, mono: bool, frames: int
) -> np.ndarray:
    """``(frames, channels)`` blocks mixed down (when ``mono``) and resampled into one array."""
    out_channels = 1 if mono else channels
    resampler = _Resampler(in_sr, out_sr, out_channels)
    writer = _GrowingBuffer(out_channels, math.ceil(frames * out_sr / in_sr) + 64)
    for block in blocks:
        mixed = block.mean(axis=1) if mono and channels > 1 else (block[:, 0] if mono else block)
        writer.append(resampler.push(mixed))
    writer.append(resampler.flush())
    return writer.result()


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
        scale = np.float32(32768)
        data = np.clip(np.rint(data * scale), -32768, 32767).astype(np.float32) / scale
    blocks = (data[i : i + BLOCK_FRAMES] for i in range(0, len(data), BLOCK_FRAMES))
    mixed = _mix_and_resample(blocks, int(sr), int(out_sr), data.shape[1], mono, len(data))
    return Audio(mixed, int(out_sr), source)


def _check_complete(file: Path, sound: Any, frames_read: int) -> None:
    if frames_read == 0:
        raise AudioError(f"{file}: holds no audio samples (zero length); re-export it with audio in it")
    declared = int(sound.frames)
    shortfall = declared - frames_read
    container = str(sound.format).upper()
    if container in _ESTIMATED_LENGTH_FORMATS:
        tolerance = _ESTIMATE_TOLERANCE * declared
    else:
        tolerance = _OGG_TOLERANCE_FRAMES if container == "OGG" else 0
    if shortfall > tolerance:
        raise AudioError(
            f"{file}: the file is truncated (decoded {frames_read / sound.samplerate:.2f} s of the "
            f"{declared / sound.samplerate:.2f} s its header declares); re-export or re-download it"
        )


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
