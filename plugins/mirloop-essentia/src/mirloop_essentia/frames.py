"""Essentia frame descriptors of one track, computed once and shared by the backends.

Results are cached per :class:`~mirloop.signal.TrackContext` (weakly, so they go with it),
so the features, key and segmenter backends of one analysis run one frame pass.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
from attrs import frozen
from mirloop.signal import TrackContext

from mirloop_essentia.runtime import standard

#: STFT frame and hop, in samples at 22050 Hz (93 ms and 23 ms).
FRAME_SIZE, HOP_SIZE = 2048, 512
#: HPCP frame and hop for tonal descriptors, in samples (186 ms and 93 ms).
TONAL_FRAME, TONAL_HOP = 4096, 2048

_CACHE: weakref.WeakKeyDictionary[TrackContext, dict[str, Any]] = weakref.WeakKeyDictionary()


@frozen(eq=False)
class SpectralFrames:
    """Per-frame Essentia descriptors at ``rate`` frames per second; every array is ``(n_frames,)``
    except ``mfcc`` (13 × n), ``contrast`` (6 × n) and ``bands`` (40 mel bands × n, for SBic).
    """

    rate: float
    mfcc: np.ndarray
    bands: np.ndarray
    rms: np.ndarray
    centroid: np.ndarray
    flatness: np.ndarray
    contrast: np.ndarray
    flux: np.ndarray
    onset_function: np.ndarray


@frozen(eq=False)
class TonalFrames:
    """12-bin HPCP per frame, ``(12, n_frames)``, each frame scaled to max 1, at ``rate`` fps.

    Bins follow Essentia's order: A first (the reference frequency), as its ``Key`` expects.
    """

    rate: float
    hpcp: np.ndarray


def spectral_frames(ctx: TrackContext) -> SpectralFrames:
    """Essentia's MFCC, RMS, centroid, flatness, contrast, flux and onset function per frame."""
    cache = _CACHE.setdefault(ctx, {})
    if "spectral" not in cache:
        cache["spectral"] = _compute_spectral(ctx.samples, ctx.sr)
    result: SpectralFrames = cache["spectral"]
    return result


def tonal_frames(ctx: TrackContext) -> TonalFrames:
    """HPCP chroma per frame (spectral peaks 25–3500 Hz, whitening, 440-Hz reference, cosine weighting)."""
    cache = _CACHE.setdefault(ctx, {})
    if "tonal" not in cache:
        cache["tonal"] = _compute_tonal(ctx.samples, ctx.sr)
    result: TonalFrames = cache["tonal"]
    return result


def _compute_spectral(samples: np.ndarray, sr: int) -> SpectralFrames:
    es = standard()
    nyquist = sr / 2.0
    window = es.Windowing(type="hann", size=FRAME_SIZE)
    spectrum = es.Spectrum(size=FRAME_SIZE)
    mfcc = es.MFCC(inputSize=FRAME_SIZE // 2 + 1, sampleRate=sr, highFrequencyBound=nyquist,
                   numberCoefficients=13)
    centroid = es.Centroid(range=nyquist)
    flatness = es.Flatness()
    contrast = es.SpectralContrast(frameSize=FRAME_SIZE, sampleRate=sr, highFrequencyBound=nyquist)
    flux = es.Flux()
    rms = es.RMS()
    onset = es.OnsetDetection(method="complex", sampleRate=sr)
    fft = es.FFT(size=FRAME_SIZE)
    c2p = es.CartesianToPolar()
    rows: dict[str, list[Any]] = {k: [] for k in (
        "mfcc", "bands", "rms", "centroid", "flatness", "contrast", "flux",
        "onset_function")}
    margin = np.zeros(FRAME_SIZE // 2, np.float32)  # centre the first frame on sample 0
    padded = np.concatenate([margin, samples, margin])
    for frame in es.FrameGenerator(padded, frameSize=FRAME_SIZE, hopSize=HOP_SIZE, startFromZero=True):
        windowed = window(frame)
        spec = spectrum(windowed)
        bands, coefficients = mfcc(spec)
        contrast_values, _ = contrast(spec)
        magnitude, phase = c2p(fft(windowed))
        rows["mfcc"].append(coefficients)
        rows["bands"].append(bands)
        rows["rms"].append(rms(frame))
        rows["centroid"].append(centroid(spec))
        rows["flatness"].append(flatness(spec + 1e-10))
        rows["contrast"].append(contrast_values)
        rows["flux"].append(flux(spec))
        rows["onset_function"].append(onset(magnitude, phase))
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in rows.items()}
    for key in ("mfcc", "bands", "contrast"):
        arrays[key] = arrays[key].T
    arrays = {k: np.nan_to_num(v, nan=0.0, posinf=0.0, neginf=0.0) for k, v in arrays.items()}
    return SpectralFrames(rate=sr / HOP_SIZE, **arrays)


def _compute_tonal(samples: np.ndarray, sr: int) -> TonalFrames:
    es = standard()
    window = es.Windowing(type="blackmanharris62", size=TONAL_FRAME)
    spectrum = es.Spectrum(size=TONAL_FRAME)
    peaks = es.SpectralPeaks(sampleRate=sr, maxPeaks=60, minFrequency=25, maxFrequency=3500,
                             magnitudeThreshold=1e-4, orderBy="magnitude")
    whitening = es.SpectralWhitening(sampleRate=sr, maxFrequency=3500)
    hpcp = es.HPCP(size=12, sampleRate=sr, referenceFrequency=440.0, minFrequency=25, maxFrequency=3500,
                   weightType="cosine", normalized="unitMax", harmonics=0)
    rows = []
    for frame in es.FrameGenerator(samples, frameSize=TONAL_FRAME, hopSize=TONAL_HOP, startFromZero=True):
        spec = spectrum(window(frame))
        frequencies, magnitudes = peaks(spec)
        magnitudes = whitening(spec, frequencies, magnitudes)
        rows.append(hpcp(frequencies, magnitudes))
    if not rows:  # shorter than one tonal frame
        rows.append(np.zeros(12, np.float32))
    chroma = np.asarray(rows, dtype=np.float64).T
    return TonalFrames(rate=sr / TONAL_HOP, hpcp=np.nan_to_num(chroma))
