"""Per-frame spectral features of a whole track, computed block by block from the STFT.

The complex STFT of a long track would not fit the memory budget, so the signal is cut into
blocks of frames; each block is padded with the samples (or, at the track edges, the zeros)
that the centred STFT would see, transformed, reduced to compact per-frame arrays and
dropped. The result equals the unchunked centred STFT with zero padding (librosa's default
``pad_mode="constant"``) up to float32 rounding.
"""

from __future__ import annotations

import itertools

import numpy as np
from attrs import frozen

from mirloop.signal.sample_file import SpilledColumns, release_before, spills

#: FFT size in samples (93 ms at 22050 Hz).
N_FFT = 2048
N_MELS = 128
N_MFCC = 20
N_CONTRAST_BANDS = 6
#: dB range kept below the track's loudest mel bin (as ``librosa.power_to_db(top_db=80)``).
TOP_DB = 80.0
_AMIN = 1e-10


@frozen(eq=False)
class FrameFeatures:
    """Compact per-frame arrays of one track; every array has ``n_frames`` columns.

    ``log_mel`` is the mel power in dB (``(128, n)``, clipped 80 dB below the track's maximum),
    ``mfcc`` its first 20 DCT coefficients, ``contrast`` the 7 octave-band spectral contrasts in
    dB; the 1-D arrays are spectral centroid (Hz), flatness (0–1), flux (L2 distance between
    successive L1-normalised magnitude spectra) and RMS (linear amplitude).
    """

    log_mel: np.ndarray
    mfcc: np.ndarray
    centroid: np.ndarray
    flatness: np.ndarray
    contrast: np.ndarray
    flux: np.ndarray
    rms: np.ndarray

    @property
    def n_frames(self) -> int:
        return int(self.log_mel.shape[1])


def n_frames_for(n_samples: int, hop_length: int) -> int:
    """Number of centred frames librosa produces for ``n_samples`` samples."""
    return 1 + n_samples // hop_length


def padded_segment(y: np.ndarray, start: int, stop: int) -> np.ndarray:
    """``y[start:stop]`` with zeros wherever the range leaves the signal."""
    segment = np.zeros(stop - start, dtype=np.float32)
    lo, hi = max(start, 0), min(stop, len(y))
    if hi > lo:
        segment[lo - start : hi - start] = y[lo:hi]
    return segment


def compute_frame_features(
    y: np.ndarray, *, sr: int, hop_length: int = 512, block_frames: int = 2048
) -> FrameFeatures:
    """Spectral frame features of mono ``y`` (float32, ``sr`` Hz) at ``hop_length`` samples.

    ``block_frames`` frames (about 47 s at 22050 Hz and hop 512) are transformed at a time,
    which bounds the memory to a few tens of megabytes whatever the track length.
    """
    import librosa
    import scipy.fft

    n_frames = n_frames_for(len(y), hop_length)
    freqs = librosa.fft_frequencies(sr=sr, n_fft=N_FFT).astype(np.float32)
    mel_basis = librosa.filters.mel(sr=sr, n_fft=N_FFT, n_mels=N_MELS).astype(np.float32)
    window = librosa.filters.get_window("hann", N_FFT, fftbins=True).astype(np.float32)

    bands = _contrast_bands(freqs, sr)
    # A long track's log-mel (80 MB an hour) goes to a temporary file, a block at a time.
    spilled = SpilledColumns(N_MELS, n_frames) if spills(len(y)) else None
    mel_power = np.empty((N_MELS, n_frames if spilled is None else 0), dtype=np.float32)
    top = np.float32(-np.inf)
    contrast = np.empty((N_CONTRAST_BANDS + 1, n_frames), dtype=np.float32)
    scalars = {
        name: np.empty(n_frames, dtype=np.float32)
        for name in ("centroid", "flatness", "flux", "rms")
    }
    previous: np.ndarray | None = None
    half = N_FFT // 2
    for f0 in range(0, n_frames, block_frames):
        f1 = min(f0 + block_frames, n_frames)
        segment = padded_segment(y, f0 * hop_length - half, (f1 - 1) * hop_length + N_FFT - half)
        release_before(y, f0 * hop_length - half)  # a spilled track's pages behind this block
        frames = librosa.util.frame(segment, frame_length=N_FFT, hop_length=hop_length)
        spectrum = np.abs(scipy.fft.rfft(frames * window[:, None], axis=0)).astype(np.float32)
        power = spectrum**2
        if spilled is None:
            mel_power[:, f0:f1] = mel_basis @ power
        else:
            block_db = _power_to_db(mel_basis @ power)
            top = max(top, block_db.max())
            spilled.write(f0, block_db)
        contrast[:, f0:f1] = _spectral_contrast(spectrum, bands)
        total = spectrum.sum(axis=0)
        safe_total = np.maximum(total, 1e-12)
        centroid = (freqs @ spectrum) / safe_total
        log_power = np.log(np.maximum(power, _AMIN))
        flatness = np.exp(log_power.mean(axis=0)) / np.maximum(power.mean(axis=0), _AMIN)
        normalised = spectrum / safe_total
        diffs = np.diff(normalised, axis=1)
        flux = np.empty(f1 - f0, dtype=np.float32)
        flux[1:] = np.sqrt((diffs**2).sum(axis=0))
        flux[0] = 0.0 if previous is None else float(np.sqrt(((normalised[:, 0] - previous) ** 2).sum()))
        previous = normalised[:, -1].copy()
        silent = total <= 1e-9
        scalars["centroid"][f0:f1] = np.where(silent, 0.0, centroid)
        scalars["flatness"][f0:f1] = np.where(silent, 0.0, flatness)
        scalars["flux"][f0:f1] = flux
        scalars["rms"][f0:f1] = np.sqrt(np.einsum("ij,ij->j", frames, frames) / N_FFT)

    if spilled is None:
        # In place (the mel power becomes the log-mel), and the DCT a block of frames at a time:
        # no whole-track temporary beside the per-frame arrays.
        log_mel = _power_to_db(mel_power)
        np.maximum(log_mel, log_mel.max() - TOP_DB, out=log_mel)
    else:
        floor = top - TOP_DB
        spilled.update(lambda block: np.maximum(block, floor))
        log_mel = spilled.result()
    mfcc = np.empty((N_MFCC, n_frames), dtype=np.float32)
    for f0 in range(0, n_frames, block_frames):
        # A C-ordered copy of the block: the same DCT whether the log-mel is in RAM or in a file.
        rows = np.ascontiguousarray(log_mel[:, f0 : f0 + block_frames])
        block = scipy.fft.dct(rows, axis=0, type=2, norm="ortho")
        mfcc[:, f0 : f0 + block_frames] = block[:N_MFCC]
        release_before(log_mel, f0 + block_frames)
    return FrameFeatures(log_mel=log_mel, mfcc=mfcc, contrast=contrast, **scalars)


def _power_to_db(power: np.ndarray) -> np.ndarray:
    """``10 log10(max(power, 1e-10))`` in place (the 80-dB floor is applied once the maximum is known)."""
    np.maximum(power, _AMIN, out=power)
    np.log10(power, out=power)
    power *= np.float32(10.0)
    return power


def _contrast_bands(freqs: np.ndarray, sr: int, fmin: float = 200.0) -> list[tuple[np.ndarray, int]]:
    """Bin masks and quantile counts of librosa's octave bands for spectral contrast."""
    edges = np.zeros(N_CONTRAST_BANDS + 2)
    edges[1:] = fmin * 2.0 ** np.arange(N_CONTRAST_BANDS + 1)
    bands = []
    for k, (low, high) in enumerate(itertools.pairwise(edges)):
        band = (freqs >= low) & (freqs <= high)
        idx = np.flatnonzero(band)
        if k > 0:
            band[idx[0] - 1] = True
        if k == N_CONTRAST_BANDS:
            band[idx[-1] + 1 :] = True
        rows = np.flatnonzero(band)
        count = max(int(np.rint(0.02 * band.sum())), 1)
        if k < N_CONTRAST_BANDS:
            rows = rows[:-1]
        bands.append((rows, count))
    return bands


def _spectral_contrast(spectrum: np.ndarray, bands: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """``librosa.feature.spectral_contrast`` (dB) without its block-dependent 80-dB floor."""
    out = np.empty((len(bands), spectrum.shape[1]), dtype=np.float32)
    for k, (rows, count) in enumerate(bands):
        ordered = np.sort(spectrum[rows], axis=0)
        valley = ordered[:count].mean(axis=0)
        peak = ordered[-count:].mean(axis=0)
        out[k] = 10.0 * (np.log10(np.maximum(peak, _AMIN)) - np.log10(np.maximum(valley, _AMIN)))
    return out
