"""Damaged audio files: what is found while decoding, and how much damage is still analysed.

The policy (``docs/analysis-outputs.md``): decode what decodes; when a file is damaged — fewer
frames decode than its header declares, the decoder reports a corrupt or cut stream, or a WAV
header's data size disagrees with the file — the damage travels with the audio
(:class:`~mirloop.types.AudioDamage`), and the file is refused only when more than
:data:`MAX_MISSING_PERCENT` % or more than :data:`MAX_MISSING_SECONDS` s of it is missing. The
limit is set with ``MIRLOOP_MAX_DAMAGE`` (e.g. ``20%,60s``; ``none`` accepts any damage).

A WAV whose writer never finished its header (data size 0 or ``0xFFFFFFFF``) is read to the
end of the file (:func:`unfinished_wav`); how much is missing from it is unknown, so it is
flagged but never refused for its size.
"""

from __future__ import annotations

import math
import os
import re
import struct
from pathlib import Path
from typing import Any

from attrs import frozen

from mirloop.errors import AudioError, ConfigError
from mirloop.types.damage import AudioDamage

#: The default limit: a file with more than this share of its declared length missing is refused…
MAX_MISSING_PERCENT = 5.0
#: …or with more than this many seconds missing.
MAX_MISSING_SECONDS = 10.0
#: The environment variable that sets the limit, e.g. ``MIRLOOP_MAX_DAMAGE=20%,60s`` or ``none``.
LIMIT_VARIABLE = "MIRLOOP_MAX_DAMAGE"

#: Formats whose frame count is only estimated by the decoder; a small shortfall is not damage.
_ESTIMATED_LENGTH_FORMATS = ("MP3", "MPEG")
_ESTIMATE_TOLERANCE = 0.01
#: Ogg Vorbis takes its length from the last page's granule position, which can promise up to one
#: (long) Vorbis block more than the decoder delivers; a shortfall of this many frames is not damage.
_OGG_TOLERANCE_FRAMES = 2048
#: libsndfile log lines that reveal damage, with the problem in words.
_LOG_PROBLEMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"File ended unexpectedly"), "the stream ends without its end marker (the file was cut)"),
    (
        re.compile(r"Last page lacks an end-of-stream bit"),
        "the Ogg stream ends without its last page (the file was cut)",
    ),
    (re.compile(r"reports a hole|Corrupted bitstream"), "part of the stream is corrupt and was skipped"),
)
#: ``data : 2646132 (should be 882000)``: the WAV header declares more audio bytes than the file holds.
_DATA_SIZE = re.compile(r"data\s*:\s*(\d+)\s*\(should be (\d+)\)")
#: WAV data sizes a writer leaves when it never came back to finish the header.
_UNFINISHED_SIZES = (0, 0xFFFFFFFF)
#: (format tag, bits per sample) -> libsndfile subtype, for reading an unfinished WAV as raw PCM.
_WAV_SUBTYPES = {
    (1, 8): "PCM_U8", (1, 16): "PCM_16", (1, 24): "PCM_24", (1, 32): "PCM_32",
    (3, 32): "FLOAT", (3, 64): "DOUBLE",
}


@frozen
class DamageLimit:
    """Refuse damage beyond ``percent`` % or ``seconds`` s missing (``math.inf`` = no limit)."""

    percent: float = MAX_MISSING_PERCENT
    seconds: float = MAX_MISSING_SECONDS

    @classmethod
    def from_environment(cls) -> DamageLimit:
        """The limit ``MIRLOOP_MAX_DAMAGE`` sets (``P%``, ``Ss``, both comma-separated, or ``none``)."""
        text = os.environ.get(LIMIT_VARIABLE, "").strip().lower()
        if not text:
            return cls()
        if text in ("none", "off"):
            return cls(math.inf, math.inf)
        percent, seconds = MAX_MISSING_PERCENT, MAX_MISSING_SECONDS
        for part in (p.strip() for p in text.split(",")):
            unit, number = part[-1:], part[:-1]
            try:
                value = float(number) if unit in ("%", "s") else None
            except ValueError:
                value = None
            if value is None:
                raise ConfigError(
                    f"{LIMIT_VARIABLE}={os.environ[LIMIT_VARIABLE]!r} is not a damage limit; give a share "
                    f"and/or seconds missing, e.g. {LIMIT_VARIABLE}=20%,60s, or 'none' to accept any damage"
                )
            if unit == "%":
                percent = value
            else:
                seconds = value
        if not (percent >= 0 and seconds >= 0):
            raise ConfigError(f"{LIMIT_VARIABLE} must not be negative, got {os.environ[LIMIT_VARIABLE]!r}")
        return cls(percent, seconds)

    def check(self, file: Path, damage: AudioDamage | None) -> None:
        """Raise :class:`~mirloop.errors.AudioError` when ``damage`` is beyond the limit."""
        if damage is None or damage.missing_seconds is None or damage.missing_fraction is None:
            return
        if damage.missing_seconds > self.seconds or 100 * damage.missing_fraction > self.percent:
            raise AudioError(
                f"{file}: the file is damaged — {damage.describe()}; that is more than the "
                f"{self.percent:g} % or {self.seconds:g} s mirloop analyses anyway. Re-export or re-download "
                f"it, or raise the limit, e.g. {LIMIT_VARIABLE}=50%,120s"
            )


@frozen
class UnfinishedWav:
    """A WAV file whose header's data size was never written: read it as raw PCM from ``offset``."""

    offset: int
    samplerate: int
    channels: int
    subtype: str
    declared_size: int


def unfinished_wav(file: Path) -> UnfinishedWav | None:
    """The layout of ``file`` when it is a PCM/float WAV whose data chunk size is 0 or ``0xFFFFFFFF``
    while audio follows it; ``None`` for any other file."""
    try:
        with file.open("rb") as handle:
            head = handle.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            layout: tuple[int, int, str] | None = None
            while True:
                header = handle.read(8)
                if len(header) < 8:
                    return None
                chunk, size = header[:4], struct.unpack("<I", header[4:])[0]
                start = handle.tell()
                if chunk == b"data":
                    present = file.stat().st_size - start
                    if size not in _UNFINISHED_SIZES or layout is None or present <= 0:
                        return None
                    return UnfinishedWav(start, *layout, declared_size=size)
                if chunk == b"fmt ":
                    layout = _wav_layout(handle.read(min(size, 40)))
                    if layout is None:
                        return None
                handle.seek(start + size + (size & 1))
    except OSError:
        return None


def _wav_layout(body: bytes) -> tuple[int, int, str] | None:
    if len(body) < 16:
        return None
    tag, channels, rate = struct.unpack("<HHI", body[:8])
    bits = struct.unpack("<H", body[14:16])[0]
    if tag == 0xFFFE and len(body) >= 26:  # WAVE_FORMAT_EXTENSIBLE: the sub-format's tag
        tag = struct.unpack("<H", body[24:26])[0]
    subtype = _WAV_SUBTYPES.get((tag, bits))
    return None if subtype is None or channels < 1 else (rate, channels, subtype)


class FromOffset:
    """A binary file seen from ``offset`` on (for libsndfile's virtual I/O)."""

    def __init__(self, path: Path, offset: int) -> None:
        self._file = path.open("rb")
        self._offset = offset
        self._file.seek(offset)

    def seek(self, position: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_SET:
            self._file.seek(self._offset + position)
        else:
            self._file.seek(position, whence)
        return self.tell()

    def tell(self) -> int:
        return self._file.tell() - self._offset

    def read(self, size: int = -1) -> bytes:
        return self._file.read(size)

    def close(self) -> None:
        self._file.close()


def find_damage(
    sound: Any, frames_read: int, *, log: str, error: str | None, unfinished: UnfinishedWav | None
) -> AudioDamage | None:
    """What is wrong with the decoded file (``None`` when nothing is).

    ``sound`` is the open ``soundfile.SoundFile``, ``frames_read`` the frames that decoded,
    ``log`` libsndfile's log after decoding, ``error`` the decoder error that stopped decoding.
    """
    rate = float(sound.samplerate)
    problems: list[str] = []
    declared: float | None = int(sound.frames) / rate
    if unfinished is not None:
        problems.append(
            f"the WAV header was never finished (its data size is {unfinished.declared_size:#x}); "
            "read to the end of the file"
        )
        declared = None
    if error is not None:
        problems.append(f"decoding stopped at {frames_read / rate:.2f} s ({error})")
    for pattern, problem in _LOG_PROBLEMS:
        if pattern.search(log) and problem not in problems:
            problems.append(problem)
    if "without its last page" in " ".join(problems):
        declared = None  # the length came from the last page that survived: the true one is unknown
    size = _DATA_SIZE.search(log)
    if size is not None and int(size[2]) > 0:
        claimed, held = int(size[1]), int(size[2])
        if claimed in _UNFINISHED_SIZES:
            problems.append(f"the WAV header was never finished (its data size is {claimed:#x})")
            declared = None
        else:
            problems.append(f"the WAV header declares {claimed} bytes of audio, the file holds {held}")
            declared = int(sound.frames) * claimed / held / rate
    if declared is not None:
        shortfall = round(declared * rate) - frames_read  # whole frames: n / rate * rate is not always n
        container = str(sound.format).upper()
        if container in _ESTIMATED_LENGTH_FORMATS:
            tolerance = _ESTIMATE_TOLERANCE * declared * rate
        else:
            tolerance = _OGG_TOLERANCE_FRAMES if container == "OGG" else 0
        if shortfall > tolerance and not problems:
            problems.append(f"the header declares {declared:.2f} s, only {frames_read / rate:.2f} s decode")
        if shortfall <= tolerance and problems == []:
            return None
    if not problems:
        return None
    return AudioDamage(tuple(problems), frames_read / rate, declared)
