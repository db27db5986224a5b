"""A spleeter audio adapter on soundfile, so training needs no ffmpeg binary.

Used as ``spleeter train --adapter soundfile_adapter.SoundfileAdapter`` with this folder on
``PYTHONPATH``. Files must already be at the model's sample rate.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import soundfile
from spleeter.audio.adapter import AudioAdapter


class SoundfileAdapter(AudioAdapter):
    """Reads and writes WAV/FLAC with libsndfile; refuses to resample."""

    def load(self, audio_descriptor: Any, offset: float | None = None, duration: float | None = None,
             sample_rate: float | None = None, dtype: bytes = b"float32") -> tuple[np.ndarray, int]:
        path = audio_descriptor.decode() if isinstance(audio_descriptor, bytes) else str(audio_descriptor)
        info = soundfile.info(path)
        if sample_rate is not None and int(sample_rate) != info.samplerate:
            raise ValueError(f"{path} is at {info.samplerate} Hz, the model needs {int(sample_rate)} Hz")
        start = round((offset or 0.0) * info.samplerate)
        frames = -1 if duration is None else round(duration * info.samplerate)
        data, rate = soundfile.read(path, start=start, frames=frames, dtype="float32", always_2d=True)
        kind = dtype.decode() if isinstance(dtype, bytes) else str(dtype)
        return data.astype(kind), rate

    def save(self, path: Any, data: np.ndarray, sample_rate: float, codec: str | None = None,
             bitrate: str | None = None) -> None:
        soundfile.write(str(path), data, int(sample_rate))
