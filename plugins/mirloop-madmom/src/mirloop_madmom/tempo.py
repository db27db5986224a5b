"""Tempo, beats and downbeats from madmom's recurrent networks."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from mirloop.errors import OptionError
from mirloop.signal import TrackContext
from mirloop.stages import Backend, Option
from mirloop.types import TempoEstimate

from mirloop_madmom.runtime import FPS, beat_activations, downbeat_activations, madmom

#: Width of the prior that keeps window tempi near the track tempo, octaves (log2 BPM std).
WINDOW_PRIOR_OCTAVES = 0.25
#: Plausible tempo range every estimate is clipped to, BPM.
BPM_RANGE = (30.0, 300.0)


class MadmomTempo(Backend):
    """Track and window tempo from RNN beat activations, and beats from a dynamic Bayesian network.

    The RNN ensemble (Böck & Schedl 2011) turns the signal, resampled to 44.1 kHz, into a
    beat probability every 10 ms. Tempo: madmom's ``TempoEstimationProcessor`` (comb-filter
    tempo histogram, Böck, Krebs & Widmer 2015) on the whole track — the strongest candidate,
    its normalised histogram strength as confidence — and on each grid window, where the
    candidates are weighted by a log-normal prior (``WINDOW_PRIOR_OCTAVES``) around the track
    tempo. Beats: ``DBNBeatTrackingProcessor`` (Krebs, Böck & Widmer 2015). The curve is the
    inverse inter-beat interval at each beat. :meth:`estimate_downbeats` adds bar starts.
    """

    name: ClassVar[str] = "madmom"
    stage: ClassVar[str] = "tempo"
    summary: ClassVar[str] = "madmom RNN beat activations, comb-filter tempo, DBN beats (models CC BY-NC-SA)"
    options: ClassVar[dict[str, Option]] = {
        "min_bpm": Option(40.0, float, "slowest tempo considered, BPM"),
        "max_bpm": Option(250.0, float, "fastest tempo considered, BPM"),
        "beats": Option(True, bool, "track beats with the DBN (off: tempo only, faster)"),
    }

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        if not 0 < self.opts["min_bpm"] < self.opts["max_bpm"]:
            raise OptionError(
                f"tempo backend 'madmom' needs 0 < min_bpm < max_bpm, got "
                f"min_bpm={self.opts['min_bpm']}, max_bpm={self.opts['max_bpm']}"
            )

    def estimate_tempo(self, ctx: TrackContext) -> TempoEstimate:
        madmom()
        from madmom.features.tempo import TempoEstimationProcessor

        activations = beat_activations(ctx)
        tempo_of = TempoEstimationProcessor(
            method=None, histogram_processor=self._histogram(), fps=FPS,
            min_bpm=self.opts["min_bpm"], max_bpm=self.opts["max_bpm"],
        )
        candidates = np.atleast_2d(tempo_of(activations))
        track_bpm, confidence = _strongest(candidates)
        window_bpm = []
        for start, end in zip(ctx.grid.starts, ctx.grid.ends, strict=True):
            window = activations[int(start * FPS): max(int(start * FPS) + 2, int(end * FPS))]
            window_bpm.append(_near(np.atleast_2d(tempo_of(window)), track_bpm))
        beats = self._beats(activations, ctx.duration) if self.opts["beats"] else np.zeros(0)
        return TempoEstimate(
            bpm=float(np.clip(track_bpm, *BPM_RANGE)),
            confidence=confidence,
            window_bpm=np.clip(window_bpm, *BPM_RANGE),
            curve_times=beats[1:],
            curve_bpm=60.0 / np.maximum(np.diff(beats), 1e-3),
            beats=beats,
        )

    def estimate_downbeats(self, ctx: TrackContext, beats_per_bar: tuple[int, ...] = (3, 4)) -> np.ndarray:
        """Beat times (s) and their position in the bar (1 = downbeat), ``(n_beats, 2)``.

        RNN beat/downbeat activations (Böck, Krebs & Widmer 2016) decoded by madmom's
        ``DBNDownBeatTrackingProcessor`` for bars of ``beats_per_bar`` beats.
        """
        madmom()
        from madmom.features.downbeats import DBNDownBeatTrackingProcessor

        tracker = DBNDownBeatTrackingProcessor(
            beats_per_bar=list(beats_per_bar), fps=FPS,
            min_bpm=max(self.opts["min_bpm"], 55.0), max_bpm=min(self.opts["max_bpm"], 215.0),
        )
        result = np.asarray(tracker(downbeat_activations(ctx)), dtype=np.float64)
        return result.reshape(-1, 2)

    def _histogram(self) -> Any:
        from madmom.features.tempo import CombFilterTempoHistogramProcessor

        return CombFilterTempoHistogramProcessor(min_bpm=self.opts["min_bpm"], max_bpm=self.opts["max_bpm"],
                                                 fps=FPS)

    def _beats(self, activations: np.ndarray, duration: float) -> np.ndarray:
        from madmom.features.beats import DBNBeatTrackingProcessor

        tracker = DBNBeatTrackingProcessor(
            min_bpm=max(self.opts["min_bpm"], 55.0), max_bpm=min(self.opts["max_bpm"], 215.0), fps=FPS
        )
        beats = np.sort(np.asarray(tracker(activations), dtype=np.float64))
        return beats[(beats >= 0) & (beats <= duration)]


def _strongest(candidates: np.ndarray) -> tuple[float, float]:
    """The strongest (BPM, strength) of madmom's candidate table, or (120, 0) when it is empty."""
    if candidates.size == 0 or candidates.shape[1] < 2:
        return 120.0, 0.0
    best = int(np.argmax(candidates[:, 1]))
    return float(candidates[best, 0]), float(np.clip(candidates[best, 1], 0.0, 1.0))


def _near(candidates: np.ndarray, reference: float) -> float:
    """The candidate with the best strength × log-normal prior around ``reference`` BPM."""
    if candidates.size == 0 or candidates.shape[1] < 2:
        return reference
    octaves = np.log2(candidates[:, 0] / reference)
    score = candidates[:, 1] * np.exp(-0.5 * (octaves / WINDOW_PRIOR_OCTAVES) ** 2)
    return float(candidates[int(np.argmax(score)), 0])
