"""The ``tempocnn-grid`` tempo backend: librosa's metrical grid, the level chosen by tempo-cnn.

The built-in ``librosa`` backend finds the metrical grid of a track (its answer is nearly always
a level of the meter) but prefers the faster of two equally periodic levels; tempo-cnn prefers
the notated beat in simple meters but answers 1.5 × or ⅔ × the dotted beat of compound meters,
which is no level of the meter. Here the candidates are librosa's answer ``T`` and one level
above and below it: ``T / 2`` or ``T / 3`` (whichever of 2 or 3 periods is the more periodic in
the onset autocorrelation, a duple or triple grouping) and ``2 T`` or ``3 T`` (whichever of
½ or ⅓ period is the more periodic). Each candidate is scored by tempo-cnn's probability mass
near it (a log-Gaussian ``width`` octaves wide) times its metrical-comb salience
(:func:`mirloop.signal.tempo.comb_salience`) times librosa's tempo prior, so only levels of
librosa's grid can win.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from mirloop.errors import OptionError
from mirloop.signal import TempoSettings, TrackContext
from mirloop.signal.beats import track_beats
from mirloop.signal.tempo import TEMPOGRAM_WINDOW, comb_salience, log_gaussian_prior, positive_acf
from mirloop.stages import Backend, Option
from mirloop.types import TempoEstimate

from mirloop_tempocnn.tempo import FIRST_BPM, TempoCnnTempo

_LIBROSA = TempoSettings()


def grid_levels(acf: np.ndarray, bpm: float, *, fps: float, min_bpm: float, max_bpm: float) -> np.ndarray:
    """``bpm`` and its neighbouring metrical levels in ``[min_bpm, max_bpm]``, slowest first.

    Below: ``bpm / 2`` or ``bpm / 3``, whichever grouping is the more periodic in the 1-D onset
    autocorrelation ``acf`` (sampled at ``fps``): 2 and 4 beat periods, or 3 and 6 (a group and
    two groups, so the quarter-eighth rhythm of a 6/8 tune, periodic at 2 eighths too, still
    groups its eighths in threes); above: ``2 bpm`` or ``3 bpm``, whichever of ½ or ⅓ period is
    the more periodic. Each value is divided by :func:`window_decay`, so longer lags are not
    handicapped. ``bpm`` itself is always kept.
    """
    period = 60.0 * fps / bpm
    lags = np.array([2.0, 4.0, 3.0, 6.0, 1 / 2, 1 / 3]) * period
    evidence = positive_acf(acf, lags) / np.maximum(window_decay(lags), 1e-3)
    slower = 2.0 if evidence[0] + evidence[1] >= evidence[2] + evidence[3] else 3.0
    faster = 2.0 if evidence[4] >= evidence[5] else 3.0
    levels = [bpm / slower, bpm, bpm * faster]
    return np.asarray([level for level in levels if min_bpm <= level <= max_bpm or level == bpm])


def window_decay(lags: np.ndarray) -> np.ndarray:
    """How the tempogram's Hann window alone lowers the autocorrelation at ``lags`` (1 at lag 0).

    Dividing by it lets 3 and 6 periods compete with 2 and 4 on equal terms.
    """
    window = np.hanning(TEMPOGRAM_WINDOW + 2)[1:-1]
    decay = np.correlate(window, window, mode="full")[TEMPOGRAM_WINDOW - 1 :]
    return np.asarray(np.interp(lags, np.arange(TEMPOGRAM_WINDOW), decay / decay[0], right=0.0))


def level_mass(distribution: np.ndarray, levels: np.ndarray, *, width: float) -> np.ndarray:
    """tempo-cnn's probability mass near each level: its classes weighted by a log-Gaussian."""
    classes = FIRST_BPM + np.arange(len(distribution))
    weights = np.exp(-0.5 * (np.log2(classes[None, :] / levels[:, None]) / width) ** 2)
    return np.asarray(weights @ distribution)


class TempoCnnGridTempo(Backend):
    """librosa's tempo moved to the metrical level tempo-cnn prefers, never off librosa's grid.

    The track tempo is the candidate level (librosa's answer, the duple or triple level above and
    below it) with the largest product of tempo-cnn's probability mass near it (``width``
    octaves), its metrical-comb salience and the log-Gaussian prior of the ``librosa`` backend
    (``prior_center``, ``prior_width``); when every product is zero, librosa's answer. The
    confidence is librosa's times the chosen level's share of the products. Window tempi and the
    curve are librosa's, scaled by the same factor; beats are tracked at the chosen tempo.
    """

    name: ClassVar[str] = "tempocnn-grid"
    stage: ClassVar[str] = "tempo"
    summary: ClassVar[str] = "librosa's metrical levels, the level chosen by tempo-cnn, models AGPL-3.0"
    options: ClassVar[dict[str, Option]] = {
        "model": Option("fcn", str, "tempo-cnn model choosing the level: fcn, cnn, ismir2018, …"),
        "width": Option(0.04, float, "width of tempo-cnn's mass around a level, octaves"),
        "prior_center": Option(_LIBROSA.prior_center, float, "centre of the log-Gaussian level prior, BPM"),
        "prior_width": Option(_LIBROSA.prior_width, float, "width (std) of the level prior, octaves"),
    }

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        if not self.opts["model"].strip():
            raise OptionError("tempo backend 'tempocnn-grid' needs a model name, e.g. model=fcn")
        for name in ("width", "prior_center", "prior_width"):
            if not self.opts[name] > 0:
                raise OptionError(f"tempo backend 'tempocnn-grid' needs {name} > 0, got {self.opts[name]}")

    def estimate_tempo(self, ctx: TrackContext) -> TempoEstimate:
        grid = ctx.estimate_tempo(_LIBROSA)
        acf = ctx.tempogram.acf.mean(axis=1)
        fps = ctx.frame_rate
        levels = grid_levels(acf, grid.bpm, fps=fps, min_bpm=_LIBROSA.min_bpm, max_bpm=_LIBROSA.max_bpm)
        probabilities, _ = TempoCnnTempo(model=self.opts["model"]).distribution(ctx)
        mass = level_mass(probabilities.mean(axis=0), levels, width=self.opts["width"])
        prior = log_gaussian_prior(levels, self.opts["prior_center"], self.opts["prior_width"])
        score = mass * np.maximum(comb_salience(acf, levels, fps), 0.0) * prior
        if grid.confidence <= 0 or not np.any(score > 0):
            return grid
        best = int(np.argmax(score))
        bpm = float(levels[best])
        factor = bpm / grid.bpm
        beats = grid.beats if factor == 1.0 else track_beats(ctx.rhythm_envelope, fps=fps, bpm=bpm)
        return TempoEstimate(
            bpm=bpm,
            confidence=float(np.clip(grid.confidence * score[best] / score.sum(), 0.0, 1.0)),
            window_bpm=np.asarray(grid.window_bpm) * factor,
            curve_times=grid.curve_times,
            curve_bpm=np.asarray(grid.curve_bpm) * factor,
            beats=np.asarray(beats, dtype=np.float64),
        )
