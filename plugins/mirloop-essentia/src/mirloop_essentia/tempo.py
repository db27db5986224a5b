"""Tempo and beats with Essentia's RhythmExtractor2013 or PercivalBpmEstimator."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from mirloop.signal import TrackContext
from mirloop.stages import Backend, Option
from mirloop.types import TempoEstimate

from mirloop_essentia.runtime import at_rhythm_rate, standard, window_slices

#: Upper end of RhythmExtractor2013's ``multifeature`` confidence (Zapata et al. 2012).
MULTIFEATURE_MAX_CONFIDENCE = 5.32
#: Plausible tempo range every estimate is clipped to, BPM.
BPM_RANGE = (30.0, 300.0)


class EssentiaTempo(Backend):
    """Track tempo, per-window tempo, a beat-to-beat tempo curve and beats.

    ``method``:

    ``multifeature`` / ``degara``
        RhythmExtractor2013 (Zapata, Davies & Gómez 2014; Degara et al. 2012) on the signal
        resampled to 44.1 kHz. Window tempo is 60 / median inter-beat interval of the beats
        inside the window (the track tempo where a window holds fewer than three beats).
        Confidence: the multifeature beat-tracker agreement divided by its maximum 5.32;
        ``degara`` reports none (0).
    ``percival``
        PercivalBpmEstimator (Percival & Tzanetakis 2014) on the track and on each window;
        no beats, confidence 0.
    """

    name: ClassVar[str] = "essentia"
    stage: ClassVar[str] = "tempo"
    summary: ClassVar[str] = "Essentia RhythmExtractor2013 (multifeature/degara) or Percival tempo, and beats"
    options: ClassVar[dict[str, Option]] = {
        "method": Option(
            "multifeature", str, "multifeature, degara (faster) or percival (tempo only)",
            choices=("multifeature", "degara", "percival"),
        ),
        "min_bpm": Option(40, int, "slowest tempo considered, BPM"),
        "max_bpm": Option(208, int, "fastest tempo considered, BPM"),
    }

    def estimate_tempo(self, ctx: TrackContext) -> TempoEstimate:
        if self.opts["method"] == "percival":
            return self._percival(ctx)
        return self._rhythm_extractor(ctx)

    def _rhythm_extractor(self, ctx: TrackContext) -> TempoEstimate:
        es = standard()
        extractor = es.RhythmExtractor2013(
            method=self.opts["method"], minTempo=self.opts["min_bpm"], maxTempo=self.opts["max_bpm"]
        )
        bpm, ticks, confidence, _, _ = extractor(at_rhythm_rate(ctx.samples, ctx.sr))
        beats = np.sort(np.asarray(ticks, dtype=np.float64))
        beats = beats[(beats >= 0) & (beats <= ctx.duration)]
        track_bpm = _clip_bpm(float(bpm)) if bpm > 0 else _clip_bpm(_median_bpm(beats, 120.0))
        window_bpm = np.array([
            _median_bpm(beats[(beats >= a) & (beats < b)], track_bpm)
            for a, b in zip(ctx.grid.starts, ctx.grid.ends, strict=True)
        ])
        curve_times = beats[1:]
        curve_bpm = 60.0 / np.maximum(np.diff(beats), 1e-3)
        multifeature = self.opts["method"] == "multifeature"
        score = float(confidence) / MULTIFEATURE_MAX_CONFIDENCE if multifeature else 0.0
        return TempoEstimate(
            bpm=track_bpm,
            confidence=float(np.clip(score, 0.0, 1.0)),
            window_bpm=np.clip(window_bpm, *BPM_RANGE),
            curve_times=curve_times,
            curve_bpm=np.clip(curve_bpm, 0.0, None),
            beats=beats,
        )

    def _percival(self, ctx: TrackContext) -> TempoEstimate:
        es = standard()
        estimator = es.PercivalBpmEstimator(
            sampleRate=ctx.sr, minBPM=self.opts["min_bpm"], maxBPM=self.opts["max_bpm"]
        )
        track_bpm = _clip_bpm(float(estimator(ctx.samples)))
        windows = window_slices(ctx.grid.starts, ctx.grid.ends, ctx.sr, len(ctx.samples))
        window_bpm = np.array([_clip_bpm(float(estimator(ctx.samples[w])), track_bpm) for w in windows])
        return TempoEstimate(bpm=track_bpm, confidence=0.0, window_bpm=window_bpm,
                             curve_times=ctx.grid.centers, curve_bpm=window_bpm)


def _median_bpm(beats: np.ndarray, fallback: float) -> float:
    """60 / median inter-beat interval, or ``fallback`` with fewer than three beats."""
    if beats.size < 3:
        return fallback
    return 60.0 / float(np.median(np.diff(beats)))


def _clip_bpm(bpm: float, fallback: float = 120.0) -> float:
    """``bpm`` clipped to :data:`BPM_RANGE`; ``fallback`` when it is not a positive number."""
    if not np.isfinite(bpm) or bpm <= 0:
        return fallback
    return float(np.clip(bpm, *BPM_RANGE))


__all__ = ["EssentiaTempo"]
