"""A constant-Q spectrogram of a whole track, computed block by block at a coarse hop.

Chroma and the structural segmenter need pitch resolution, not time resolution, so the CQT
runs at a hop of 2048 samples (93 ms at 22050 Hz), 16× cheaper than at 512. Blocks of frames
are transformed with a margin of signal on each side that covers the longest filter and the
multirate resampling, then trimmed, so the stitched result equals the unchunked CQT up to
float32 rounding and resampler edge effects at the block seams.

The transform is librosa's multirate CQT (``librosa.cqt`` with its defaults: Hann-windowed
wavelets, L1 norm, 1 % sparsity, ``soxr_hq`` octave resampling, scaled by the filter lengths),
with one difference: its filter bank — a sparse FFT basis per octave, which takes longer to
build than transforming a 10-s clip — is built once per process and sample rate
(:func:`constant_q_kernel`) instead of on every call.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import numpy as np
from attrs import frozen

from mirloop.errors import InvalidValueError
from mirloop.signal.frames import padded_segment
from mirloop.signal.sample_file import SpilledColumns, release_before, spills

#: Lowest CQT bin: C2 (65.4 Hz); 6 octaves reach C8 (4186 Hz).
FMIN_MIDI = 36
N_OCTAVES = 6
BINS_PER_OCTAVE = 36
N_BINS = N_OCTAVES * BINS_PER_OCTAVE
#: Frames of margin on each side of a block (at hop 2048 and 22050 Hz: 0.84 s).
MARGIN_FRAMES = 9
#: Octave resampler, as librosa's CQT.
RESAMPLER = "soxr_hq"


@frozen(eq=False)
class ConstantQ:
    """CQT magnitude in dB (``(216, n)``, ref 1.0, floor 80 dB below the maximum) and chroma.

    ``chroma`` is the raw pitch-class energy ``(12, n)`` (C first) folded from the CQT
    magnitudes, ``fine_chroma`` the same at three bins per semitone ``(36, n)`` (bin 0 on C,
    for tuning estimation: :mod:`mirloop.signal.tuning`); ``hop_length`` is in samples.
    """

    db: np.ndarray
    chroma: np.ndarray
    fine_chroma: np.ndarray
    hop_length: int
    sr: int

    @property
    def n_frames(self) -> int:
        return int(self.db.shape[1])

    @property
    def frame_rate(self) -> float:
        """Frames per second."""
        return self.sr / self.hop_length


@frozen(eq=False)
class ConstantQKernel:
    """The filter bank of the CQT at one sample rate and hop.

    ``early_factor`` is the decimation applied before the first (top) octave; ``octaves`` holds,
    top octave first, each octave's sparse FFT basis ``(36, n_fft // 2 + 1)`` and ``n_fft``;
    ``scale`` divides every bin by the square root of its filter length; ``to_chroma`` folds
    the 216 bins into 12 pitch classes.
    """

    sr: int
    hop_length: int
    early_factor: int
    octaves: tuple[tuple[object, int], ...]
    scale: np.ndarray
    to_chroma: np.ndarray

    def magnitude(self, y: np.ndarray) -> np.ndarray:
        """``|CQT|`` ``(216, 1 + len(y) // hop_length)`` of mono float32 ``y``, as ``librosa.cqt``."""
        import librosa

        hop = self.hop_length // self.early_factor
        if self.early_factor > 1:
            y = librosa.resample(y, orig_sr=self.early_factor, target_sr=1, res_type=RESAMPLER, scale=True)
        responses = []
        for basis, n_fft in self.octaves:
            spectrum = librosa.stft(
                y, n_fft=n_fft, hop_length=hop, window="ones", pad_mode="constant", dtype=np.complex64
            )
            responses.append(basis.dot(spectrum))  # type: ignore[attr-defined]
            if hop % 2 == 0:
                hop //= 2
                y = librosa.resample(y, orig_sr=2, target_sr=1, res_type=RESAMPLER, scale=True)
        n_frames = min(r.shape[1] for r in responses)
        stacked = np.empty((N_BINS, n_frames), dtype=np.float32)
        end = N_BINS
        for response in responses:
            stacked[end - response.shape[0] : end] = np.abs(response[:, :n_frames])
            end -= response.shape[0]
        return stacked * self.scale[:, None]


@functools.lru_cache(maxsize=8)
def constant_q_kernel(sr: int, hop_length: int) -> ConstantQKernel:
    """The CQT filter bank for ``sr`` Hz and ``hop_length`` samples, built once per process."""
    import librosa

    fmin = float(librosa.midi_to_hz(FMIN_MIDI))
    freqs = librosa.cqt_frequencies(N_BINS, fmin=fmin, bins_per_octave=BINS_PER_OCTAVE)
    ratio = 2.0 ** (1.0 / BINS_PER_OCTAVE)
    alpha = np.full(N_BINS, (ratio**2 - 1) / (ratio**2 + 1))  # equal-tempered relative bandwidth
    lengths, cutoff = librosa.filters.wavelet_lengths(freqs=freqs, sr=sr, alpha=alpha)
    nyquist = sr / 2.0
    if cutoff > nyquist:
        raise InvalidValueError(
            f"a CQT up to {freqs[-1]:.0f} Hz needs a sample rate above {2 * cutoff:.0f} Hz"
        )
    # librosa's early downsampling: as many halvings as both the filters' headroom and the hop allow
    by_cutoff = max(0, int(np.ceil(np.log2(nyquist / cutoff)) - 1) - 1)
    twos = 0
    while hop_length % (2 ** (twos + 1)) == 0:
        twos += 1
    early = 2 ** min(by_cutoff, max(0, twos - N_OCTAVES + 1))
    octave_sr = sr / early
    octaves = []
    for octave in range(N_OCTAVES):
        top = N_BINS - octave * BINS_PER_OCTAVE
        bins = slice(top - BINS_PER_OCTAVE, top)
        basis, octave_lengths = librosa.filters.wavelet(
            freqs=freqs[bins], sr=octave_sr, alpha=alpha[bins], pad_fft=True, norm=1  # type: ignore[arg-type]
        )
        n_fft = basis.shape[1]
        basis = basis * (octave_lengths[:, None] / float(n_fft))
        fft_basis = np.fft.fft(basis, n=n_fft, axis=1)[:, : n_fft // 2 + 1]
        fft_basis = librosa.util.sparsify_rows(fft_basis, quantile=0.01, dtype=np.complex64)
        octaves.append((fft_basis * np.sqrt(sr / early / octave_sr), n_fft))
        if (hop_length // early) % (2 ** (octave + 1)) == 0:
            octave_sr /= 2.0
    to_chroma = librosa.filters.cq_to_chroma(
        N_BINS, bins_per_octave=BINS_PER_OCTAVE, n_chroma=12, fmin=fmin
    ).astype(np.float32)
    return ConstantQKernel(
        sr=sr,
        hop_length=hop_length,
        early_factor=early,
        octaves=tuple(octaves),
        scale=(1.0 / np.sqrt(lengths)).astype(np.float32),
        to_chroma=to_chroma,
    )


def compute_constant_q(
    y: np.ndarray, *, sr: int, hop_length: int = 2048, block_frames: int = 1536
) -> ConstantQ:
    """CQT (C2–C8, 36 bins per octave, tuning 0) of mono ``y`` at ``hop_length`` samples.

    ``hop_length`` must be a multiple of 32 (the multirate CQT halves the hop once per
    octave). ``block_frames`` frames (143 s at the default hop) are transformed at a time.
    """
    kernel = constant_q_kernel(int(sr), int(hop_length))
    n_frames = 1 + len(y) // hop_length
    if spills(len(y)):
        return _spilled_constant_q(y, kernel, n_frames, block_frames)
    magnitude = np.empty((N_BINS, n_frames), dtype=np.float32)
    for f0, f1, block in _magnitude_blocks(y, kernel, n_frames, block_frames):
        magnitude[:, f0:f1] = block
    chroma = kernel.to_chroma @ magnitude
    fine_chroma = magnitude.reshape(N_OCTAVES, BINS_PER_OCTAVE, n_frames).sum(axis=0)
    db = _to_db(magnitude)  # in place: the magnitude becomes the dB spectrogram
    np.maximum(db, db.max() - 80.0, out=db)
    return ConstantQ(db=db, chroma=chroma, fine_chroma=fine_chroma, hop_length=hop_length, sr=sr)


def _magnitude_blocks(
    y: np.ndarray, kernel: ConstantQKernel, n_frames: int, block_frames: int
) -> Iterator[tuple[int, int, np.ndarray]]:
    """``(f0, f1, |CQT|[:, f0:f1])`` for each block of frames, releasing a spilled track behind it."""
    hop_length = kernel.hop_length
    margin = MARGIN_FRAMES * hop_length
    for f0 in range(0, n_frames, block_frames):
        f1 = min(f0 + block_frames, n_frames)
        segment = padded_segment(y, f0 * hop_length - margin, (f1 - 1) * hop_length + margin + 1)
        release_before(y, f0 * hop_length - margin)  # a spilled track's pages behind this block
        block = kernel.magnitude(np.asarray(segment, dtype=np.float32))
        yield f0, f1, block[:, MARGIN_FRAMES : MARGIN_FRAMES + f1 - f0]


def _to_db(magnitude: np.ndarray) -> np.ndarray:
    """``20 log10(max(magnitude, 1e-5))`` in place (the 80-dB floor comes once the maximum is known)."""
    np.maximum(magnitude, np.float32(1e-5), out=magnitude)
    np.log10(magnitude, out=magnitude)
    magnitude *= np.float32(20.0)
    return magnitude


def _spilled_constant_q(
    y: np.ndarray, kernel: ConstantQKernel, n_frames: int, block_frames: int
) -> ConstantQ:
    """:func:`compute_constant_q` of a long track: the dB spectrogram (30 MB an hour) goes to a
    temporary file a block at a time; the chroma are folded from each block (equal to the
    whole-track product up to float32 rounding)."""
    db = SpilledColumns(N_BINS, n_frames)
    chroma = np.empty((12, n_frames), dtype=np.float32)
    fine_chroma = np.empty((BINS_PER_OCTAVE, n_frames), dtype=np.float32)
    top = np.float32(-np.inf)
    for f0, f1, block in _magnitude_blocks(y, kernel, n_frames, block_frames):
        magnitude = np.ascontiguousarray(block)
        chroma[:, f0:f1] = kernel.to_chroma @ magnitude
        fine_chroma[:, f0:f1] = magnitude.reshape(N_OCTAVES, BINS_PER_OCTAVE, f1 - f0).sum(axis=0)
        block_db = _to_db(magnitude)
        top = max(top, block_db.max())
        db.write(f0, block_db)
    floor = top - 80.0
    db.update(lambda block: np.maximum(block, floor))
    return ConstantQ(db=db.result(), chroma=chroma, fine_chroma=fine_chroma, hop_length=kernel.hop_length,
                     sr=kernel.sr)
