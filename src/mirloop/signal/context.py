"""One track's analysis signal and the representations its stages share."""

from __future__ import annotations

import itertools
from functools import cached_property

import numpy as np

from mirloop.errors import AudioError, InvalidValueError
from mirloop.signal.beatsync import BeatUnits, beat_synchronous
from mirloop.signal.cqt import ConstantQ, compute_constant_q
from mirloop.signal.frames import FrameFeatures, compute_frame_features, n_frames_for
from mirloop.signal.sample_file import release_before, spills
from mirloop.signal.tempo import Tempogram, TempoSettings, compute_tempogram, estimate_track_tempo
from mirloop.signal.tuning import estimate_tuning, tuned_chroma
from mirloop.signal.windows import window_mean_std
from mirloop.types import Audio, Grid, TempoEstimate

#: Sample rate of every analysis signal, in Hz.
ANALYSIS_SR = 22050
#: Hop of the constant-Q spectrogram and chroma, in samples (93 ms at 22050 Hz).
CQT_HOP = 2048


def band_onsets(log_mel: np.ndarray, edges: list[int], *, hop_length: int, block: int = 8192) -> np.ndarray:
    """Onset strength of each band ``log_mel[edges[k]:edges[k + 1]]``: the mean positive
    difference between consecutive frames, delayed by the lag and half the 2048-sample frame,
    as ``librosa.onset.onset_strength_multi(S=log_mel, channels=edges)`` computes it — but a
    block of frames at a time, without whole-track temporaries of the log-mel's size.
    """
    n = log_mel.shape[1]
    delay = 1 + 2048 // (2 * hop_length)
    out = np.zeros((len(edges) - 1, n), dtype=log_mel.dtype)
    for a in range(0, max(n - 1, 0), block):
        b = min(a + block, n - 1)
        # A C-ordered copy of the block: the same sums whether the log-mel is in RAM or in a file.
        frames = np.ascontiguousarray(log_mel[:, a : b + 1])
        release_before(log_mel, a)  # a spilled log-mel's columns behind this block
        rise = np.maximum(0.0, frames[:, 1:] - frames[:, :-1])
        stop = min(b + delay, n)
        if stop <= a + delay:
            break
        for k, (low, high) in enumerate(itertools.pairwise(edges)):
            out[k, a + delay : stop] = rise[low:high].mean(axis=0)[: stop - a - delay]
    return out


def frames_scaled_to_max(raw: np.ndarray) -> np.ndarray:
    """Each column of a chroma scaled to max 1; columns below 10⁻⁴ of the loudest one are 0."""
    peak = raw.max(axis=0, keepdims=True)
    floor = max(float(peak.max()) * 1e-4, 1e-8)
    return np.where(peak > floor, raw / np.maximum(peak, floor), 0.0).astype(np.float32)


class TrackContext:
    """The mono analysis signal of one track plus lazily computed, cached representations.

    Every representation is a :func:`functools.cached_property`: computed the first time a
    stage asks for it and shared by all later stages, so features, tempo, key and segmenter
    together compute one STFT pass, one CQT pass and one tempogram. Only compact per-frame
    arrays are kept (never a complex STFT or CQT of the whole track), so an hour of audio
    needs a few hundred megabytes.

    Parameters
    ----------
    audio
        Mono float32 samples at :data:`ANALYSIS_SR` Hz.
    hop_length
        Hop of the STFT frame features and onset envelope, in samples (512 = 23 ms).
    grid
        The analysis windows; by default ``Grid(duration)`` (10-s windows, 2-s hop).
    """

    def __init__(self, audio: Audio, *, hop_length: int = 512, grid: Grid | None = None) -> None:
        if audio.samples.ndim != 1:
            raise AudioError(
                f"TrackContext needs mono audio, got {audio.channels} channels; call audio.mono() first"
            )
        if audio.sr != ANALYSIS_SR:
            raise AudioError(
                f"TrackContext needs audio at {ANALYSIS_SR} Hz, got {audio.sr} Hz; resample it first "
                "(mirloop.io.audio.load_audio does)"
            )
        if audio.samples.dtype != np.float32:
            raise AudioError(f"TrackContext needs float32 samples, got {audio.samples.dtype}")
        if audio.n_samples == 0:
            raise AudioError("TrackContext got empty audio (0 samples); check the input file")
        if hop_length <= 0:
            raise AudioError(f"hop_length must be a positive number of samples, got {hop_length}")
        self._audio = audio
        self.hop_length = int(hop_length)
        self._grid = grid if grid is not None else Grid(audio.duration)
        self._stage_tempo: TempoEstimate | None = None

    def __repr__(self) -> str:
        source = self._audio.source or "<memory>"
        return f"TrackContext({source!r}, duration={self.duration:.2f} s, hop_length={self.hop_length})"

    # -- the signal ------------------------------------------------------------------------
    @property
    def audio(self) -> Audio:
        """The analysed :class:`~mirloop.types.Audio` (mono, float32, at :data:`ANALYSIS_SR` Hz)."""
        return self._audio

    @property
    def samples(self) -> np.ndarray:
        """The mono float32 samples."""
        return self._audio.samples

    @property
    def sr(self) -> int:
        """Sample rate in Hz (:data:`ANALYSIS_SR`)."""
        return self._audio.sr

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self._audio.duration

    @property
    def grid(self) -> Grid:
        """The analysis windows (10 s, 2-s hop): per-window results have one entry per window."""
        return self._grid

    @property
    def frame_rate(self) -> float:
        """STFT frames (and onset-envelope samples) per second."""
        return self.sr / self.hop_length

    @cached_property
    def frame_times(self) -> np.ndarray:
        """Centre time of each STFT frame, in seconds."""
        return np.arange(n_frames_for(self._audio.n_samples, self.hop_length)) * self.hop_length / self.sr

    # -- STFT frame features ------------------------------------------------------------------
    @cached_property
    def frames(self) -> FrameFeatures:
        """Log-mel, MFCC and spectral/temporal features of every STFT frame (one blocked pass)."""
        return compute_frame_features(self.samples, sr=self.sr, hop_length=self.hop_length)

    @property
    def log_mel(self) -> np.ndarray:
        """Mel power in dB, ``(128, n_frames)``."""
        return self.frames.log_mel

    @property
    def mfcc(self) -> np.ndarray:
        """20 MFCCs per frame, ``(20, n_frames)``."""
        return self.frames.mfcc

    # -- rhythm ---------------------------------------------------------------------------------
    @cached_property
    def onset_envelope(self) -> np.ndarray:
        """Onset strength per frame: mean positive log-mel difference (``librosa.onset.onset_strength``)."""
        return band_onsets(self.log_mel, [0, self.log_mel.shape[0]], hop_length=self.hop_length)[0]

    @cached_property
    def onset_times(self) -> np.ndarray:
        """Detected note onsets in seconds (peak picking on the onset envelope)."""
        import librosa

        envelope = self.onset_envelope
        if envelope.max() <= 0:
            return np.zeros(0)
        return np.asarray(
            librosa.onset.onset_detect(
                onset_envelope=envelope, sr=self.sr, hop_length=self.hop_length, units="time"
            ),
            dtype=np.float64,
        )

    @cached_property
    def rhythm_envelope(self) -> np.ndarray:
        """Onset strength with bass-register accents: mean log-mel flux below 500 Hz plus over all bands.

        Kick drum, bass and low piano notes mark the beat more than hi-hats do, yet they
        span few mel bands, so the plain band mean (:attr:`onset_envelope`) lets eighth-note
        hats outweigh them. The tempogram and the beat tracker use this envelope.
        """
        import librosa

        n_low = int(
            np.searchsorted(librosa.mel_frequencies(n_mels=self.log_mel.shape[0], fmax=self.sr / 2), 500.0)
        )
        bands = band_onsets(self.log_mel, [0, n_low, self.log_mel.shape[0]], hop_length=self.hop_length)
        low, high = bands[0], bands[1]
        full = (n_low * low + (self.log_mel.shape[0] - n_low) * high) / self.log_mel.shape[0]
        return np.asarray(low + full, dtype=np.float32)

    @cached_property
    def tempogram(self) -> Tempogram:
        """Autocorrelation tempogram of :attr:`rhythm_envelope` (8.9-s windows, a column every 4 frames),
        in a temporary file for a long track (as its log-mel and CQT)."""
        return compute_tempogram(self.rhythm_envelope, fps=self.frame_rate, spill=spills(len(self.samples)))

    def estimate_tempo(self, settings: TempoSettings) -> TempoEstimate:
        """Tempo for ``settings``; the default settings' result is cached as :attr:`default_tempo`."""
        if settings == TempoSettings():
            return self.default_tempo
        return self._tempo_for(settings)

    def _tempo_for(self, settings: TempoSettings) -> TempoEstimate:
        return estimate_track_tempo(
            self.tempogram,
            self.rhythm_envelope,
            grid=self.grid,
            sr=self.sr,
            hop_length=self.hop_length,
            settings=settings,
        )

    @cached_property
    def default_tempo(self) -> TempoEstimate:
        """Tempo with the default :class:`~mirloop.signal.tempo.TempoSettings` (the librosa backend's)."""
        return self._tempo_for(TempoSettings())

    def use_tempo(self, estimate: TempoEstimate) -> None:
        """Make ``estimate`` (the tempo stage's result) the track's :attr:`tempo` and :attr:`beats`.

        The analysis calls this as the tempo stage returns, before the features and the segmenter
        run, so the feature table's ``tempo`` column and the segmenter's beats come from the
        backend ``--use tempo=NAME`` chose.
        """
        if not isinstance(estimate, TempoEstimate):
            raise InvalidValueError(f"use_tempo needs a TempoEstimate, got {type(estimate).__name__}")
        self._stage_tempo = estimate
        self.__dict__.pop("beat_units", None)  # cached on the beats this replaces

    @property
    def tempo(self) -> TempoEstimate:
        """The track's tempo: the tempo stage's result (:meth:`use_tempo`), else :attr:`default_tempo`."""
        return self._stage_tempo if self._stage_tempo is not None else self.default_tempo

    @property
    def beats(self) -> np.ndarray:
        """Beat times in seconds: the tempo stage's beats, else (none given) :attr:`default_tempo`'s."""
        if self._stage_tempo is not None and len(self._stage_tempo.beats):
            return self._stage_tempo.beats
        return self.default_tempo.beats

    # -- pitch ---------------------------------------------------------------------------------
    @cached_property
    def constant_q(self) -> ConstantQ:
        """CQT in dB (C2–C8, 36 bins per octave) and raw chroma at a hop of 2048 samples."""
        return compute_constant_q(self.samples, sr=self.sr, hop_length=CQT_HOP)

    @cached_property
    def chroma(self) -> np.ndarray:
        """CQT chroma ``(12, n)`` at the CQT hop, each frame scaled to max 1 (silent frames are 0)."""
        return frames_scaled_to_max(self.constant_q.chroma)

    @cached_property
    def tuning(self) -> float:
        """Tuning offset in semitones, in [-0.5, 0.5) (:func:`~mirloop.signal.tuning.estimate_tuning`)."""
        return estimate_tuning(self.constant_q.fine_chroma)

    @cached_property
    def tuned_chroma(self) -> np.ndarray:
        """:attr:`chroma` with the pitch classes moved by :attr:`tuning` onto the tempered ones."""
        return frames_scaled_to_max(tuned_chroma(self.constant_q.fine_chroma, self.tuning))

    @property
    def chroma_frame_rate(self) -> float:
        """Chroma frames per second."""
        return self.constant_q.frame_rate

    @cached_property
    def window_chroma(self) -> np.ndarray:
        """Mean :attr:`chroma` of each grid window, ``(n_windows, 12)``."""
        mean, _ = window_mean_std(self.chroma, self.chroma_frame_rate, self.grid)
        return mean

    @cached_property
    def track_chroma(self) -> np.ndarray:
        """Mean :attr:`chroma` over the whole track, ``(12,)``."""
        return np.asarray(self.chroma.mean(axis=1), dtype=np.float64)

    # -- structure -------------------------------------------------------------------------------
    @cached_property
    def beat_units(self) -> BeatUnits:
        """Beat-synchronous CQT (median) and MFCCs (mean); beats grouped to at most 768 units."""
        return beat_synchronous(
            beats=self.beats,
            duration=self.duration,
            cqt_db=self.constant_q.db,
            cqt_rate=self.chroma_frame_rate,
            mfcc=self.mfcc,
            mfcc_rate=self.frame_rate,
        )
