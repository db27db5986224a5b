"""mirloop's 21 window features computed with Essentia's descriptors."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from mirloop.backends.feature_columns import BackendColumns, ChromaFrames, assemble_features
from mirloop.backends.feature_columns import SpectralFrames as ColumnFrames
from mirloop.backends.librosa.profiles import key_correlations, mode_strength
from mirloop.signal import TrackContext
from mirloop.signal.windows import window_bounds, window_mean_std
from mirloop.stages import Backend, Option
from mirloop.types import Features, Projection

from mirloop_essentia.frames import SpectralFrames, spectral_frames, tonal_frames
from mirloop_essentia.key import PROFILES
from mirloop_essentia.runtime import standard


class EssentiaFeatures(Backend):
    """The 21 :data:`~mirloop.types.FEATURE_NAMES` per grid window, Essentia's versions of them.

    ================================  ==========================================================
    ``mfcc_1``–``mfcc_3``             means of Essentia MFCC coefficients 0–2 (40 mel bands, dB)
    ``pca_1``–``pca_3``               projection of ``pca_input`` (13 MFCC, 12 HPCP and 6 contrast
                                      means and standard deviations: 62 values)
    ``tempo``                         window tempo, BPM: the configured tempo stage's
                                      (``tempo_method = "stage"``, the default) or that
                                      ``tempo_method`` of :class:`~mirloop_essentia.tempo.EssentiaTempo`
    ``onset_rate``                    SuperFlux onsets per second
    ``rms_mean``, ``rms_std``         frame RMS, mean and standard deviation
    ``spectral_centroid``             Centroid, Hz
    ``spectral_flatness``             Flatness (0–1)
    ``spectral_contrast``             SpectralContrast, mean over 6 bands; ``spectral_flux``: Flux
    ``harmonic_change``               mean harmonic change (tonal-centroid HCDF) of the HPCP
    ``chroma_strength``               mean over frames of max / sum of the HPCP (1/12–1)
    ``key_clarity``                   Essentia Key strength of the window's mean HPCP (``key_profile``)
    ``mode``                          best major minus best minor key correlation of the window's
                                      mean HPCP (mirloop's ``edma`` templates; > 0 leans major)
    ``chord_quality``, ``thirds``     mirloop's triad-template scores of the HPCP frames (best
                                      major − best minor; best triad − best sus2/sus4), voiced mean
    ``pulse_clarity``                 highest normalised autocorrelation of the complex-domain onset
                                      function at beat periods of 40–240 BPM (0–1)
    ================================  ==========================================================

    STFT descriptors use 93-ms frames with a 23-ms hop at 22050 Hz. Values are on the same
    scales as the ``librosa`` backend where the definitions agree, but they are not identical:
    a model trained on one backend's features must be used with the same backend.
    """

    name: ClassVar[str] = "essentia"
    stage: ClassVar[str] = "features"
    summary: ClassVar[str] = "The 21 window features from Essentia descriptors (MFCC, HPCP, SuperFlux, …)"
    options: ClassVar[dict[str, Option]] = {
        "key_profile": Option("bgate", str, "Essentia key profile for key_clarity", choices=PROFILES),
        "tempo_method": Option(
            "stage",
            str,
            "tempo for the tempo column: stage (the configured tempo stage's), or Essentia's degara, "
            "multifeature or percival",
            choices=("stage", "degara", "multifeature", "percival"),
        ),
    }

    def __init__(self, *, projection: Projection | None = None, **options: Any) -> None:
        super().__init__(**options)
        #: Projection for the ``pca_*`` columns; ``None`` fits a PCA on each track's windows.
        self.projection = projection

    def extract(self, ctx: TrackContext) -> Features:
        """The 21 columns of each grid window, assembled by mirloop's own
        :func:`~mirloop.backends.feature_columns.assemble_features` from Essentia's frames."""
        grid = ctx.grid
        frames = spectral_frames(ctx)
        tonal = tonal_frames(ctx)
        hpcp_mean = window_mean_std(tonal.hpcp, tonal.rate, grid)[0]
        hpcp_sum = tonal.hpcp.sum(axis=0)
        peakiness = np.where(hpcp_sum > 0, tonal.hpcp.max(axis=0) / np.maximum(hpcp_sum, 1e-9), 0.0)
        key_of = standard().Key(profileType=self.opts["key_profile"], pcpSize=12)
        return assemble_features(
            grid,
            ColumnFrames(frames.rate, frames.mfcc, frames.contrast, frames.rms, frames.centroid,
                         frames.flatness, frames.flux),
            ChromaFrames(tonal.rate, tonal.hpcp, peakiness),
            BackendColumns(
                tempo=self._window_tempo(ctx),
                onset_rate=_onset_rate(ctx),
                key_clarity=np.array([_strength(key_of, row) for row in np.atleast_2d(hpcp_mean)]),
                mode=mode_strength(key_correlations(np.atleast_2d(hpcp_mean), "edma")),
                pulse_clarity=_pulse_clarity(frames, ctx),
            ),
            projection=self.projection,
            backend=self.name,
        )

    def _window_tempo(self, ctx: TrackContext) -> np.ndarray:
        """The tempo column: the configured tempo stage's window tempi (``ctx.tempo``), or those of
        Essentia's ``tempo_method``."""
        from mirloop_essentia.tempo import EssentiaTempo

        if self.opts["tempo_method"] == "stage":
            return np.asarray(ctx.tempo.window_bpm, dtype=np.float64)
        return EssentiaTempo(method=self.opts["tempo_method"]).estimate_tempo(ctx).window_bpm


def _onset_rate(ctx: TrackContext) -> np.ndarray:
    onsets = np.asarray(standard().SuperFluxExtractor(sampleRate=ctx.sr)(ctx.samples), dtype=np.float64)
    grid = ctx.grid
    counts = np.searchsorted(onsets, grid.ends) - np.searchsorted(onsets, grid.starts)
    return counts / np.maximum(grid.ends - grid.starts, 1e-9)


def _strength(key_of: Any, hpcp: np.ndarray) -> float:
    if not np.any(hpcp > 0):
        return 0.0
    return float(key_of(np.ascontiguousarray(hpcp, dtype=np.float32))[2])


def _pulse_clarity(frames: SpectralFrames, ctx: TrackContext) -> np.ndarray:
    """Per window: max normalised autocorrelation of the onset function at lags of 40–240 BPM."""
    onset = frames.onset_function
    lo, hi = window_bounds(frames.rate, len(onset), ctx.grid)
    short, long = int(np.floor(60.0 * frames.rate / 240.0)), int(np.ceil(60.0 * frames.rate / 40.0))
    values = []
    for a, b in zip(lo, hi, strict=True):
        x = onset[a:b] - onset[a:b].mean()
        energy = float(np.dot(x, x))
        if energy <= 0 or len(x) <= short + 1:
            values.append(0.0)
            continue
        acf = np.correlate(x, x, mode="full")[len(x) - 1:] / energy
        values.append(float(acf[short: min(long, len(x) - 1) + 1].max()))
    return np.clip(np.array(values), 0.0, 1.0)
