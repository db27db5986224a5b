"""What the browser draws and plays: waveform envelopes and OGG players.

A waveform is ``{"duration": s, "peaks": [...]}``: the peak absolute amplitude of
:data:`WAVEFORM_BINS` equal slices of the mono signal, scaled so the loudest slice is 1 (a
silent signal stays at 0), enough for a canvas a few hundred pixels wide.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mirloop.io.atomic import atomic_open
from mirloop.types import Audio

#: Slices of a waveform envelope.
WAVEFORM_BINS = 800


class WaveformPeaks:
    """The waveform of a signal of ``frames`` samples at ``sr`` Hz built from its blocks in order
    (``(frames,)`` mono or ``(frames, channels)``, mixed to their mean as :meth:`Audio.mono`):
    a long render's waveform without the render in memory."""

    def __init__(self, frames: int, sr: int, *, bins: int = WAVEFORM_BINS) -> None:
        self._frames, self._sr = int(frames), int(sr)
        count = max(1, min(bins, self._frames))
        self._edges = np.linspace(0, self._frames, count + 1).astype(np.int64)
        self._peaks = np.zeros(count)
        self._position = 0

    def push(self, block: np.ndarray) -> None:
        """Take the next block of the signal."""
        mono = np.abs((block.mean(axis=1) if block.ndim == 2 else block).astype(np.float64))
        start, end = self._position, self._position + len(mono)
        first = max(0, int(np.searchsorted(self._edges, start, side="right")) - 1)
        for index in range(first, len(self._peaks)):
            low, high = max(int(self._edges[index]), start), min(int(self._edges[index + 1]), end)
            if low >= end:
                break
            if high > low:
                self._peaks[index] = max(self._peaks[index], float(mono[low - start : high - start].max()))
        self._position = end

    def result(self) -> dict[str, object]:
        """``{"duration", "peaks"}`` of everything pushed (see the module's docstring)."""
        top = float(self._peaks.max())
        scaled = self._peaks / top if top > 0 else self._peaks
        return {"duration": round(self._frames / self._sr, 3), "peaks": [round(float(p), 3) for p in scaled]}


def waveform(audio: Audio, *, bins: int = WAVEFORM_BINS) -> dict[str, object]:
    """The envelope of ``audio`` (any channels) as ``{"duration", "peaks"}``."""
    mono = audio.mono().samples
    peaks = WaveformPeaks(len(mono), audio.sr, bins=bins)
    peaks.push(mono)
    return peaks.result()


def write_waveform(audio: Audio, path: Path) -> Path:
    """:func:`waveform` of ``audio`` as JSON at ``path`` (written atomically)."""
    return write_waveform_of(waveform(audio), path)


def write_waveform_of(shape: dict[str, object], path: Path) -> Path:
    """The waveform ``shape`` (:func:`waveform`, :meth:`WaveformPeaks.result`) as JSON at ``path``."""
    with atomic_open(path, "w") as handle:
        handle.write(json.dumps(shape))
    return path


__all__ = ["WAVEFORM_BINS", "WaveformPeaks", "waveform", "write_waveform", "write_waveform_of"]
