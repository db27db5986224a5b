"""Real recordings spliced at known joins: chunks cut at zero crossings, joined with a short crossfade.

Each chunk is cut where its mono mix crosses zero nearest to the drawn start and end, levelled to
the same RMS, and overlapped with the next by :data:`CROSSFADE_SECONDS` (linear fades). The
reference boundary is the middle of each overlap, exact to the sample.
"""

from __future__ import annotations

from math import gcd

import numpy as np

from mirloop.errors import DatasetError

#: Length of the overlap between two chunks.
CROSSFADE_SECONDS = 0.02
#: How far from the drawn cut point a zero crossing is looked for.
SEARCH_SECONDS = 0.01
#: RMS level every chunk is brought to (linear full scale, about -20 dBFS).
CHUNK_RMS = 0.1
#: Highest peak of a spliced file; the whole file is scaled down when a chunk would clip.
PEAK = 0.98


def nearest_zero_crossing(mono: np.ndarray, at: int, *, search: int) -> int:
    """The index nearest ``at`` (within ``search`` samples) where ``mono`` changes sign, else ``at``."""
    lo, hi = max(at - search, 1), min(at + search, len(mono) - 1)
    if hi <= lo:
        return at
    window = mono[lo - 1 : hi]
    crossings = np.flatnonzero(np.signbit(window[:-1]) != np.signbit(window[1:])) + lo
    if not len(crossings):
        return at
    return int(crossings[np.argmin(np.abs(crossings - at))])


def to_stereo_rate(audio: np.ndarray, sr: int, *, target_sr: int) -> np.ndarray:
    """``audio`` (frames × channels) as float32 stereo at ``target_sr`` (polyphase resampling)."""
    from scipy.signal import resample_poly

    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim == 1:
        audio = audio[:, None]
    audio = audio[:, :2] if audio.shape[1] >= 2 else np.repeat(audio, 2, axis=1)
    if sr != target_sr:
        g = gcd(sr, target_sr)
        audio = resample_poly(audio, target_sr // g, sr // g, axis=0).astype(np.float32)
    return audio


def cut_chunk(audio: np.ndarray, sr: int, *, start: float, length: float) -> np.ndarray:
    """``length`` seconds of stereo ``audio`` from about ``start``, both ends moved to zero crossings
    and padded by half a crossfade on each side, levelled to :data:`CHUNK_RMS`."""
    half = round(CROSSFADE_SECONDS * sr / 2)
    search = round(SEARCH_SECONDS * sr)
    mono = audio.mean(axis=1)
    a = nearest_zero_crossing(mono, round(start * sr), search=search)
    b = nearest_zero_crossing(mono, round((start + length) * sr), search=search)
    if a - half < 0 or b + half > len(audio) or b - a < 4 * half:
        raise DatasetError(f"chunk {start:.2f}+{length:.2f} s does not fit a {len(audio) / sr:.2f}-s track")
    chunk = audio[a - half : b + half].copy()
    rms = float(np.sqrt(np.mean(chunk.astype(np.float64) ** 2)))
    if rms <= 1e-6:
        raise DatasetError(f"chunk at {start:.2f} s is silent")
    return chunk * np.float32(CHUNK_RMS / rms)


def splice(chunks: list[np.ndarray], sr: int) -> tuple[np.ndarray, list[float]]:
    """The chunks overlapped by one crossfade each, and the boundary times (s) between them.

    Every chunk carries half a crossfade of margin at both ends (:func:`cut_chunk`); the first
    chunk's leading margin and the last one's trailing margin are dropped, so the file starts and
    ends on the cut points.
    """
    if len(chunks) < 2:
        raise DatasetError("a spliced file needs at least two chunks")
    fade = 2 * round(CROSSFADE_SECONDS * sr / 2)
    half = fade // 2
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)[:, None]
    out = chunks[0][half:]
    boundaries = []
    for chunk in chunks[1:]:
        head = out[:-fade]
        mixed = out[-fade:] * (1.0 - ramp) + chunk[:fade] * ramp
        boundaries.append((len(head) + half) / sr)
        out = np.concatenate([head, mixed, chunk[fade:]])
    out = out[: len(out) - half]
    peak = float(np.max(np.abs(out)))
    if peak > PEAK:
        out = out * np.float32(PEAK / peak)
    return out.astype(np.float32), boundaries
