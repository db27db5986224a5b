"""What the browser draws and plays: waveform envelopes and OGG players.

A waveform is ``{"duration": s, "peaks": [...]}``: the peak absolute amplitude of
:data:`WAVEFORM_BINS` equal slices of the mono signal, scaled so the loudest slice is 1 (a
silent signal stays at 0), enough for a canvas a few hundred pixels wide.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np

from mirloop.types import Audio

#: Slices of a waveform envelope.
WAVEFORM_BINS = 800


def waveform(audio: Audio, *, bins: int = WAVEFORM_BINS) -> dict[str, object]:
    """The envelope of ``audio`` (any channels) as ``{"duration", "peaks"}``."""
    mono = np.abs(audio.mono().samples.astype(np.float64))
    bins = max(1, min(bins, len(mono)))
    edges = np.linspace(0, len(mono), bins + 1).astype(np.int64)
    peaks = np.array([mono[a:b].max() if b > a else 0.0 for a, b in itertools.pairwise(edges)])
    top = float(peaks.max()) if len(peaks) else 0.0
    scaled = peaks / top if top > 0 else peaks
    return {"duration": round(audio.duration, 3), "peaks": [round(float(p), 3) for p in scaled]}


def write_waveform(audio: Audio, path: Path) -> Path:
    """:func:`waveform` of ``audio`` as JSON at ``path``."""
    path.write_text(json.dumps(waveform(audio)), "utf-8")
    return path


__all__ = ["WAVEFORM_BINS", "waveform", "write_waveform"]
