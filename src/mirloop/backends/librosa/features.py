"""The paper's 21 window features from the shared track representations."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from mirloop.backends.feature_columns import BackendColumns, ChromaFrames, SpectralFrames, assemble_features
from mirloop.backends.librosa.profiles import PROFILES, key_correlations, mode_strength
from mirloop.signal import TrackContext
from mirloop.signal.tempo import lag_peak
from mirloop.signal.windows import window_mean_std
from mirloop.stages import Backend, Option
from mirloop.types import Features, Projection


class LibrosaFeatures(Backend):
    """21 features per grid window (10-s windows, 2-s hop), in :data:`~mirloop.types.FEATURE_NAMES` order.

    ================================  ==========================================================
    ``mfcc_1``–``mfcc_3``             means of the first three MFCCs (librosa rows 0–2, c0 included)
    ``pca_1``–``pca_3``               projection of ``pca_input`` (below)
    ``tempo``                         window tempo, BPM (``ctx.tempo.window_bpm``, the tempo stage's)
    ``onset_rate``                    detected onsets per second
    ``rms_mean``, ``rms_std``         frame RMS amplitude, mean and standard deviation
    ``spectral_centroid``/…           centroid (Hz), flatness, contrast (dB, mean over 7 bands),
                                      flux — frame means
    ``harmonic_change``               mean harmonic change of the chroma (tonal-centroid HCDF)
    ``chroma_strength``               mean over frames of max / sum of the chroma vector (1/12–1)
    ``key_clarity``                   best key-profile correlation of the window chroma (−1–1)
    ``mode``                          best major minus best minor key correlation (> 0 leans major)
    ``chord_quality``                 best major minus best minor triad match of the chroma frames,
                                      mean over voiced frames (> 0 major chords, < 0 minor)
    ``thirds``                        best triad minus best sus2/sus4 match, mean over voiced
                                      frames (< 0: open harmony without thirds)
    ``pulse_clarity``                 highest onset autocorrelation at a 40–240 BPM period, window mean (0–1)
    ================================  ==========================================================

    ``pca_input`` is, per window, the mean and standard deviation of the 20 MFCCs, the 12
    chroma bins and the 7 contrast bands (78 values). The three ``pca_*`` columns project it
    with :attr:`projection` — a :class:`~mirloop.types.Projection` fitted on training data
    and set by a trained model — or, when none is set, with a PCA fitted on this track's own
    windows (z-scored columns; each component's largest loading made positive). Track-fitted
    coefficients are comparable within a track, not across tracks.

    Silent or constant input gives finite values (zeros where a ratio is undefined).
    """

    name: ClassVar[str] = "librosa"
    stage: ClassVar[str] = "features"
    summary: ClassVar[str] = (
        "The 21 window features (MFCC, PCA, spectral, rhythm, tonal) on the shared STFT/CQT"
    )
    options: ClassVar[dict[str, Option]] = {
        "key_profile": Option(
            "edma",
            str,
            "key profile for key_clarity and mode: temperley, krumhansl or edma",
            choices=tuple(PROFILES),
        ),
    }

    def __init__(self, *, projection: Projection | None = None, **options: Any) -> None:
        super().__init__(**options)
        #: Projection for the ``pca_*`` columns; ``None`` fits a PCA on each track's windows.
        self.projection = projection

    def extract(self, ctx: TrackContext) -> Features:
        frames = ctx.frames
        chroma_sum = ctx.chroma.sum(axis=0)
        peakiness = np.where(chroma_sum > 0, 1.0 / np.maximum(chroma_sum, 1e-9), 0.0)
        key_scores = np.atleast_2d(key_correlations(ctx.window_chroma, self.opts["key_profile"]))
        return assemble_features(
            ctx.grid,
            SpectralFrames(ctx.frame_rate, frames.mfcc, frames.contrast, frames.rms, frames.centroid,
                           frames.flatness, frames.flux),
            ChromaFrames(ctx.chroma_frame_rate, ctx.chroma, peakiness),
            BackendColumns(
                tempo=ctx.tempo.window_bpm,
                onset_rate=self._onset_rate(ctx),
                key_clarity=key_scores.max(axis=1),
                mode=mode_strength(key_scores),
                pulse_clarity=self._pulse_clarity(ctx),
            ),
            projection=self.projection,
            backend=self.name,
        )

    @staticmethod
    def _onset_rate(ctx: TrackContext) -> np.ndarray:
        onsets = ctx.onset_times
        grid = ctx.grid
        counts = np.searchsorted(onsets, grid.ends, side="left") - np.searchsorted(
            onsets, grid.starts, side="left"
        )
        return counts / np.maximum(grid.ends - grid.starts, 1e-9)

    @staticmethod
    def _pulse_clarity(ctx: TrackContext) -> np.ndarray:
        tempogram = ctx.tempogram
        fps = tempogram.fps
        lags = slice(int(np.floor(60.0 * fps / 240.0)), int(np.ceil(60.0 * fps / 40.0)) + 1)
        column_rate = fps / tempogram.stride
        peak = lag_peak(tempogram.acf, lags)
        return np.clip(window_mean_std(peak, column_rate, ctx.grid)[0], 0.0, 1.0)
