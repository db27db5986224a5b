"""A render heard as it is made: the signal the classifier analyses, built block by block.

:func:`mirloop.dataset.render_job.stored_analysis_audio` turns a whole render into what a
dataset stores and the loop re-classifies: mixed to mono, resampled to the analysis rate,
quantised to 16 bits as a FLAC file holds it. :class:`HeardStream` builds the same samples from
the render's blocks as the renderer yields them, so the render itself is never held whole: a
long render's signal goes to a mapped temporary file as a long track's decoded samples do
(:mod:`mirloop.signal.sample_file`), and the float mono signal on the way (what
:func:`mirloop.io.audio_out.write_ogg` encodes) can be encoded into a preview file at the same
time. Every step works sample by sample or, for soxr's resampler, gives the same output however
its input is cut, so the result equals ``stored_analysis_audio`` of the whole render, bit for bit.
"""

from __future__ import annotations

import math

import numpy as np

from mirloop.io.audio import _GrowingBuffer, _mix_down, _Resampler, as_flac16
from mirloop.io.audio_out import AudioFileWriter
from mirloop.signal import ANALYSIS_SR, sample_file
from mirloop.signal.sample_file import SpilledSamples
from mirloop.types import Audio


class HeardStream:
    """Blocks of a render (``(frames, channels)`` float32 at ``sr`` Hz, ``frames`` in all) in; the
    stored analysis signal out (:meth:`result`); each block of the float mono signal at
    ``out_sr`` also goes to ``preview`` when given (a writer clipping to [-1, 1], as ``write_ogg``'s)."""

    def __init__(
        self,
        sr: int,
        frames: int,
        *,
        out_sr: int = ANALYSIS_SR,
        preview: AudioFileWriter | None = None,
        source: str = "",
    ) -> None:
        self.out_sr, self.source = int(out_sr), source
        self._preview = preview
        self._resampler = _Resampler(int(sr), self.out_sr, 1)
        capacity = math.ceil(frames * self.out_sr / sr) + 64
        self._buffer: _GrowingBuffer | SpilledSamples = (
            _GrowingBuffer(1, capacity) if capacity <= sample_file.IN_MEMORY_SAMPLES else SpilledSamples(1)
        )

    def push(self, block: np.ndarray) -> None:
        """Take the next ``(frames, channels)`` block of the render."""
        self._take(self._resampler.push(_mix_down(np.asarray(block, dtype=np.float32))))

    def result(self) -> Audio:
        """The stored analysis signal of everything pushed (mono, ``out_sr`` Hz, 16-bit values)."""
        self._take(self._resampler.flush())
        return Audio(self._buffer.result(), self.out_sr, self.source)

    def _take(self, mono: np.ndarray) -> None:
        if len(mono) == 0:
            return
        if self._preview is not None:
            self._preview.write(mono)
        self._buffer.append(as_flac16(mono))
