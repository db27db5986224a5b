"""Tempo from spectral-flux novelty and its autocorrelation, in numpy and scipy.

The onset novelty is the spectral flux: the frame-to-frame increase of the log-mel spectrum,
summed over bands and half-wave rectified (Dixon, "Onset detection revisited", DAFx 2006).
A periodic rhythm makes the novelty's autocorrelation peak at the beat period; a log-normal
prior over tempo picks the metrical level, as in Ellis, "Beat tracking by dynamic
programming", JNMR 2007. The log-mel spectrum comes from the shared
:class:`mirloop.signal.TrackContext`, so this backend adds no spectrogram of its own.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from mirloop.errors import OptionError
from mirloop.signal import TrackContext
from mirloop.stages import Backend, Option
from mirloop.types import TempoEstimate

#: Length of the moving average subtracted from the flux, in seconds.
LOCAL_MEAN_SECONDS = 0.5


class SpectralFluxTempo(Backend):
    """Tempo inducer: spectral-flux novelty, autocorrelation, log-normal tempo prior."""

    name = "spectral-flux"
    stage = "tempo"
    summary = "spectral-flux novelty + autocorrelation (numpy/scipy)"
    options: ClassVar[dict[str, Option]] = {
        "min_bpm": Option(60.0, float, "slowest tempo considered, in BPM"),
        "max_bpm": Option(200.0, float, "fastest tempo considered, in BPM"),
        "prior_center": Option(120.0, float, "most likely tempo: centre of the prior, in BPM"),
        "prior_width": Option(1.0, float, "width of the prior (standard deviation), in octaves"),
    }

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        low, high = self.opts["min_bpm"], self.opts["max_bpm"]
        if not 0 < low < high:
            raise OptionError(f"{self.name}: need 0 < min_bpm < max_bpm, got min_bpm={low}, max_bpm={high}")
        if self.opts["prior_width"] <= 0:
            width = self.opts["prior_width"]
            raise OptionError(f"{self.name}: prior_width must be positive, got {width}")

    def estimate_tempo(self, ctx: TrackContext) -> TempoEstimate:
        """Tempo of the track and of each grid window, and beats at the track tempo."""
        fps = ctx.frame_rate
        novelty = spectral_flux(ctx.log_mel, fps)
        found = self._tempo(novelty, fps)
        bpm, confidence = found if found is not None else (self._fallback_bpm(), 0.0)
        window_bpm = np.empty(ctx.grid.n_windows)
        for index, (start, end) in enumerate(zip(ctx.grid.starts, ctx.grid.ends, strict=True)):
            in_window = self._tempo(novelty[int(start * fps) : int(np.ceil(end * fps))], fps)
            window_bpm[index] = in_window[0] if in_window is not None else bpm
        beats = place_beats(novelty, fps, bpm, ctx.duration) if confidence > 0 else np.zeros(0)
        return TempoEstimate(
            bpm, confidence, window_bpm, curve_times=ctx.grid.centers, curve_bpm=window_bpm, beats=beats
        )

    def _tempo(self, novelty: np.ndarray, fps: float) -> tuple[float, float] | None:
        return tempo_from_novelty(
            novelty,
            fps,
            min_bpm=self.opts["min_bpm"],
            max_bpm=self.opts["max_bpm"],
            prior_center=self.opts["prior_center"],
            prior_width=self.opts["prior_width"],
        )

    def _fallback_bpm(self) -> float:
        return float(np.clip(self.opts["prior_center"], self.opts["min_bpm"], self.opts["max_bpm"]))


def spectral_flux(log_mel: np.ndarray, fps: float) -> np.ndarray:
    """Onset novelty per frame from a ``(bands, frames)`` log-mel spectrogram in dB.

    The mean positive increase over bands, minus its moving average over
    :data:`LOCAL_MEAN_SECONDS`, half-wave rectified. ``fps`` is frames per second.
    """
    from scipy.ndimage import uniform_filter1d

    if log_mel.shape[1] < 2:
        return np.zeros(log_mel.shape[1])
    rise = np.maximum(np.diff(log_mel.astype(np.float64), axis=1), 0.0).mean(axis=0)
    flux = np.concatenate([[0.0], rise])
    local_mean = uniform_filter1d(flux, size=max(1, round(LOCAL_MEAN_SECONDS * fps)), mode="nearest")
    return np.maximum(flux - local_mean, 0.0)


def autocorrelation(x: np.ndarray) -> np.ndarray:
    """Autocorrelation of the mean-removed ``x`` at lags ``0 … len(x) - 1`` (FFT, no wrap-around)."""
    from scipy.fft import irfft, next_fast_len, rfft

    centred = x - x.mean()
    size = next_fast_len(2 * len(x))
    return np.asarray(irfft(np.abs(rfft(centred, size)) ** 2, size)[: len(x)])


def tempo_from_novelty(
    novelty: np.ndarray,
    fps: float,
    *,
    min_bpm: float,
    max_bpm: float,
    prior_center: float,
    prior_width: float,
) -> tuple[float, float] | None:
    """``(bpm, confidence)`` of the strongest periodicity of ``novelty``, or ``None`` without one.

    Each autocorrelation lag in ``[min_bpm, max_bpm]`` is scored by its correlation (relative
    to lag 0) times a log-normal prior centred on ``prior_center``; the best lag is refined by a
    parabola through its neighbours. ``confidence`` is the relative correlation in [0, 1].
    """
    ac = autocorrelation(novelty)
    if len(ac) < 3 or ac[0] <= 0:
        return None
    shortest = max(1, int(np.floor(60.0 * fps / max_bpm)))
    longest = min(int(np.ceil(60.0 * fps / min_bpm)), len(ac) - 2)
    if longest <= shortest:
        return None
    lags = np.arange(shortest, longest + 1)
    prior = np.exp(-0.5 * (np.log2(60.0 * fps / lags / prior_center) / prior_width) ** 2)
    strength = ac[lags] / ac[0]
    best = int(lags[np.argmax(strength * prior)])
    before, peak, after = ac[best - 1], ac[best], ac[best + 1]
    curvature = before - 2 * peak + after
    shift = 0.5 * (before - after) / curvature if curvature < 0 else 0.0
    bpm = float(np.clip(60.0 * fps / (best + shift), min_bpm, max_bpm))
    return bpm, float(np.clip(peak / ac[0], 0.0, 1.0))


def place_beats(novelty: np.ndarray, fps: float, bpm: float, duration: float) -> np.ndarray:
    """Beat times (s) every ``60 / bpm`` s at the phase where the novelty is strongest."""
    period = 60.0 * fps / bpm
    phases = np.arange(int(np.ceil(period)))
    positions = phases[:, None] + period * np.arange(int(len(novelty) / period) + 1)[None, :]
    inside = positions < len(novelty)
    strength = np.where(inside, novelty[np.minimum(positions, len(novelty) - 1).astype(int)], 0.0).sum(axis=1)
    beats = (phases[int(np.argmax(strength))] + period * np.arange(int(len(novelty) / period) + 1)) / fps
    return beats[beats <= duration]
