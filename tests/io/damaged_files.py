"""Damaged audio files made from generated audio: cut, garbled, or with a header that lies."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import soundfile as sf

SR = 22050


def music(seconds: float) -> np.ndarray:
    """A chord that changes every second: Vorbis pages carry real content throughout."""
    t = np.arange(round(seconds * SR)) / SR
    root = 220.0 * 2 ** (np.floor(t) % 5 / 12)
    return (0.2 * np.sin(2 * np.pi * root * t) + 0.1 * np.sin(2 * np.pi * 1.5 * root * t)).astype(np.float32)


def ogg(path: Path, seconds: float) -> Path:
    sf.write(str(path), music(seconds), SR, format="OGG")
    return path


def wav(path: Path, seconds: float) -> Path:
    sf.write(str(path), music(seconds), SR, subtype="PCM_16")
    return path


def cut(path: Path, *, keep: float) -> Path:
    """Keep the first ``keep`` share of the file's bytes (a download or copy that stopped)."""
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def garble(path: Path, *, at: float, size: int) -> Path:
    """Overwrite ``size`` bytes at ``at`` (a share of the file) with noise (a bad sector)."""
    data = bytearray(path.read_bytes())
    start = int(len(data) * at)
    data[start : start + size] = np.random.default_rng(7).bytes(size)
    path.write_bytes(bytes(data))
    return path


def wav_data_size(path: Path, size: int) -> Path:
    """Set the WAV header's data chunk size (and the RIFF size to match an unfinished writer's)."""
    data = bytearray(path.read_bytes())
    index = data.find(b"data")
    data[index + 4 : index + 8] = struct.pack("<I", size)
    if size in (0, 0xFFFFFFFF):
        data[4:8] = struct.pack("<I", size)
    path.write_bytes(bytes(data))
    return path


def ogg_promising_more(path: Path, *, extra_frames: int) -> Path:
    """Raise the last Ogg page's granule position (the length the decoder reports) by
    ``extra_frames``, with a valid checksum: the stream promises audio it does not hold, as some
    encoders' files do by a fraction of a second."""
    data = bytearray(path.read_bytes())
    last = data.rfind(b"OggS")
    granule = struct.unpack("<q", data[last + 6 : last + 14])[0]
    data[last + 6 : last + 14] = struct.pack("<q", granule + extra_frames)
    segments = data[last + 26]
    length = 27 + segments + sum(data[last + 27 : last + 27 + segments])
    data[last + 22 : last + 26] = b"\0\0\0\0"
    data[last + 22 : last + 26] = struct.pack("<I", _ogg_crc(bytes(data[last : last + length])))
    path.write_bytes(bytes(data))
    return path


def _ogg_crc(page: bytes) -> int:
    crc = 0
    for byte in page:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc
