"""Lossy-codec round trips through libsndfile (soundfile): MP3 (LAME) and Ogg Vorbis.

libsndfile maps its compression level (0 best … 1 smallest) to the encoders' own scales: for MP3
in variable-bitrate mode, LAME's VBR quality is ``10 × level`` (so VBR quality ``q`` is level
``q / 10``); for Vorbis the quality is ``1 − level``. MP3 needs libsndfile ≥ 1.1 built with LAME
and mpg123; :func:`mp3_available` says whether this machine's has them.
"""

from __future__ import annotations

import io
from functools import cache

import numpy as np

from mirloop.errors import RenderError

#: The Vorbis compression level nearest in bitrate to each MP3 VBR quality (44.1 kHz stereo:
#: V0 ~245 → level 0.4 ~190 kbit/s, V2 ~190 → 0.4, V5 ~130 → 0.6 ~130, V7 ~100 → 0.8 ~100,
#: V9 ~65 → 0.95 ~85 kbit/s), used where MP3 cannot be written.
VORBIS_FOR_MP3 = {0.0: 0.4, 2.0: 0.4, 5.0: 0.6, 7.0: 0.8, 9.0: 0.95}


@cache
def mp3_available() -> bool:
    """Whether this machine's libsndfile writes and reads MP3 (libsndfile ≥ 1.1 with LAME and mpg123)."""
    import soundfile as sf

    if "MP3" not in sf.available_formats() or "MPEG_LAYER_III" not in sf.available_subtypes("MP3"):
        return False
    try:  # a build can list the format yet lack the encoder
        round_trip(np.zeros((2, 4608), dtype=np.float32), 44100, codec="mp3", quality=9.0)
    except (RuntimeError, TypeError, ValueError):
        return False
    return True


def vorbis_level_for_mp3(quality: float) -> float:
    """The Vorbis compression level standing in for MP3 VBR ``quality`` (nearest listed quality)."""
    nearest = min(VORBIS_FOR_MP3, key=lambda q: abs(q - quality))
    return VORBIS_FOR_MP3[nearest]


def round_trip(audio: np.ndarray, sr: int, *, codec: str, quality: float) -> np.ndarray:
    """Encode a ``(2, n)`` float32 signal in memory and decode it back (``codec`` ``"mp3"`` at LAME
    VBR ``quality`` 0–9, or ``"ogg"`` at libsndfile compression level ``quality`` 0–1)."""
    import soundfile as sf

    buffer = io.BytesIO()
    if codec == "mp3":
        sf.write(
            buffer,
            audio.T,
            sr,
            format="MP3",
            subtype="MPEG_LAYER_III",
            compression_level=quality / 10,
            bitrate_mode="VARIABLE",
        )
    elif codec == "ogg":
        sf.write(buffer, audio.T, sr, format="OGG", subtype="VORBIS", compression_level=quality)
    else:
        raise RenderError(f"codec must be mp3 or ogg, got {codec!r}")
    buffer.seek(0)
    decoded, _ = sf.read(buffer, dtype="float32", always_2d=True)
    return np.ascontiguousarray(decoded.T)
