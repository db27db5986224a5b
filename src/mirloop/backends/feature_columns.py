"""The paper's 21 window features assembled from frame-wise representations.

Every feature backend that computes :data:`~mirloop.types.FEATURE_NAMES` from its own frames (the
built-in ``librosa`` backend, the ``essentia`` plugin) hands them to :func:`assemble_features`, so
the window statistics, the PCA input and projection, the tonal columns and the column order are
written once.
"""

from __future__ import annotations

import numpy as np
from attrs import frozen

from mirloop.backends.librosa.pca import fit_track_projection
from mirloop.signal.harmony import chord_qualities, harmonic_change
from mirloop.signal.windows import window_mean_std, window_weighted_mean
from mirloop.types import FEATURE_NAMES, Features, Grid, Projection


@frozen(eq=False)
class SpectralFrames:
    """Frame-wise spectral descriptors at ``rate`` frames per second: ``mfcc`` and ``contrast``
    are ``(n_coefficients, n_frames)``, the others ``(n_frames,)``."""

    rate: float
    mfcc: np.ndarray
    contrast: np.ndarray
    rms: np.ndarray
    centroid: np.ndarray
    flatness: np.ndarray
    flux: np.ndarray


@frozen(eq=False)
class ChromaFrames:
    """Pitch-class profiles ``(12, n_frames)`` at ``rate`` frames per second, and each frame's
    ``peakiness`` (max over sum, 0 for a silent frame) for the ``chroma_strength`` column."""

    rate: float
    chroma: np.ndarray
    peakiness: np.ndarray


@frozen(eq=False)
class BackendColumns:
    """The columns each backend computes its own way, one value per grid window."""

    tempo: np.ndarray
    onset_rate: np.ndarray
    key_clarity: np.ndarray
    mode: np.ndarray
    pulse_clarity: np.ndarray


def assemble_features(
    grid: Grid,
    spectral: SpectralFrames,
    tonal: ChromaFrames,
    own: BackendColumns,
    *,
    projection: Projection | None,
    backend: str,
) -> Features:
    """The 21 features of each window of ``grid``, in :data:`FEATURE_NAMES` order.

    ``pca_input`` is, per window, the mean and standard deviation of every MFCC, chroma bin and
    contrast band; ``pca_*`` project it with ``projection``, or with a PCA fitted on this track's
    windows when it is ``None``. Non-finite values become 0.
    """
    rate = spectral.rate

    def mean(x: np.ndarray) -> np.ndarray:
        return window_mean_std(x, rate, grid)[0]

    mfcc_mean, mfcc_std = window_mean_std(spectral.mfcc, rate, grid)
    contrast_mean, contrast_std = window_mean_std(spectral.contrast, rate, grid)
    chroma_mean, chroma_std = window_mean_std(tonal.chroma, tonal.rate, grid)
    pca_input = np.hstack([mfcc_mean, mfcc_std, chroma_mean, chroma_std, contrast_mean, contrast_std])
    pca = (projection or fit_track_projection(pca_input)).apply(pca_input)
    rms_mean, rms_std = window_mean_std(spectral.rms, rate, grid)
    quality, thirds, voiced = chord_qualities(tonal.chroma)
    columns: dict[str, np.ndarray] = {
        "mfcc_1": mfcc_mean[:, 0],
        "mfcc_2": mfcc_mean[:, 1],
        "mfcc_3": mfcc_mean[:, 2],
        "pca_1": pca[:, 0],
        "pca_2": pca[:, 1],
        "pca_3": pca[:, 2],
        "tempo": own.tempo,
        "onset_rate": own.onset_rate,
        "rms_mean": rms_mean,
        "rms_std": rms_std,
        "spectral_centroid": mean(spectral.centroid),
        "spectral_flatness": mean(spectral.flatness),
        "spectral_contrast": contrast_mean.mean(axis=1),
        "spectral_flux": mean(spectral.flux),
        "harmonic_change": window_mean_std(harmonic_change(tonal.chroma, tonal.rate), tonal.rate, grid)[0],
        "chroma_strength": window_mean_std(tonal.peakiness, tonal.rate, grid)[0],
        "key_clarity": own.key_clarity,
        "mode": own.mode,
        "chord_quality": window_weighted_mean(quality, voiced, tonal.rate, grid),
        "thirds": window_weighted_mean(thirds, voiced, tonal.rate, grid),
        "pulse_clarity": own.pulse_clarity,
    }
    values = np.column_stack([np.asarray(columns[name], dtype=np.float64) for name in FEATURE_NAMES])
    values = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    return Features(grid=grid, values=values, names=FEATURE_NAMES, pca_input=pca_input.astype(np.float32),
                    backend=backend)
