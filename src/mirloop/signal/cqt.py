"""A constant-Q spectrogram of a whole track, computed block by block at a coarse hop.

Chroma and the structural segmenter need pitch resolution, not time resolution, so the CQT
runs at a hop of 2048 samples (93 ms at 22050 Hz), 16× cheaper than at 512. Blocks of frames
are transformed with a margin of signal on each side that covers the longest filter and the
multirate resampling, then trimmed, so the stitched result equals the unchunked CQT up to
float32 rounding and resampler edge effects at the block seams.
"""

from __future__ import annotations

import numpy as np
from attrs import frozen

from mirloop.signal.frames import padded_segment

#: Lowest CQT bin: C2 (65.4 Hz); 6 octaves reach C8 (4186 Hz).
FMIN_MIDI = 36
N_OCTAVES = 6
BINS_PER_OCTAVE = 36
#: Frames of margin on each side of a block (at hop 2048 and 22050 Hz: 0.84 s).
MARGIN_FRAMES = 9


@frozen(eq=False)
class ConstantQ:
    """CQT magnitude in dB (``(216, n)``, ref 1.0, floor 80 dB below the maximum) and chroma.

    ``chroma`` is the raw pitch-class energy ``(12, n)`` (C first) folded from the CQT
    magnitudes; ``hop_length`` is in samples.
    """

    db: np.ndarray
    chroma: np.ndarray
    hop_length: int
    sr: int

    @property
    def n_frames(self) -> int:
        return int(self.db.shape[1])

    @property
    def frame_rate(self) -> float:
        """Frames per second."""
        return self.sr / self.hop_length


def compute_constant_q(
    y: np.ndarray, *, sr: int, hop_length: int = 2048, block_frames: int = 1536
) -> ConstantQ:
    """CQT (C2–C8, 36 bins per octave, tuning 0) of mono ``y`` at ``hop_length`` samples.

    ``hop_length`` must be a multiple of 32 (librosa's multirate CQT halves the hop once per
    octave). ``block_frames`` frames (143 s at the default hop) are transformed at a time.
    """
    import librosa

    n_bins = N_OCTAVES * BINS_PER_OCTAVE
    fmin = float(librosa.midi_to_hz(FMIN_MIDI))
    n_frames = 1 + len(y) // hop_length
    magnitude = np.empty((n_bins, n_frames), dtype=np.float32)
    margin = MARGIN_FRAMES * hop_length
    for f0 in range(0, n_frames, block_frames):
        f1 = min(f0 + block_frames, n_frames)
        segment = padded_segment(y, f0 * hop_length - margin, (f1 - 1) * hop_length + margin + 1)
        block = librosa.cqt(
            segment,
            sr=sr,
            hop_length=hop_length,
            fmin=fmin,
            n_bins=n_bins,
            bins_per_octave=BINS_PER_OCTAVE,
            tuning=0.0,
            dtype=np.complex64,
        )
        magnitude[:, f0:f1] = np.abs(block[:, MARGIN_FRAMES : MARGIN_FRAMES + f1 - f0])
    to_chroma = librosa.filters.cq_to_chroma(
        n_bins, bins_per_octave=BINS_PER_OCTAVE, n_chroma=12, fmin=fmin
    ).astype(np.float32)
    chroma = to_chroma @ magnitude
    db = 20.0 * np.log10(np.maximum(magnitude, 1e-5))
    np.maximum(db, db.max() - 80.0, out=db)
    return ConstantQ(db=db.astype(np.float32), chroma=chroma, hop_length=hop_length, sr=sr)
