"""Octave-aware tempo from the onset-autocorrelation tempogram, with dynamic-programming beats."""

from __future__ import annotations

from typing import ClassVar

from mirloop.errors import OptionError
from mirloop.signal import TempoSettings, TrackContext
from mirloop.stages import Backend, Option
from mirloop.types import TempoEstimate

_DEFAULTS = TempoSettings()


class LibrosaTempo(Backend):
    """Static tempo for the track and each window, a tempo curve, beats and a confidence.

    Candidates between ``min_bpm`` and ``max_bpm`` are scored by a metrical comb over the
    mean onset autocorrelation (evidence at 1, 2, 3 and 4 beat periods, and against two
    thirds of a compound beat) times a log-Gaussian prior (``prior_center`` BPM,
    ``prior_width`` octaves), then moved to the dotted beat when its half-period pulses accent
    in threes; see :mod:`mirloop.signal.tempo`. Windows and the curve are re-estimated under a
    narrow prior around the track tempo. Beats come from the dynamic-programming tracker of
    Ellis (2007), the one in ``librosa.beat``, at the track tempo. With default options the
    result is the one cached on the :class:`~mirloop.signal.TrackContext` (shared with the
    segmenter).
    """

    name: ClassVar[str] = "librosa"
    stage: ClassVar[str] = "tempo"
    summary: ClassVar[str] = "Onset-autocorrelation tempo with metrical-comb octave correction, and beats"
    options: ClassVar[dict[str, Option]] = {
        "min_bpm": Option(_DEFAULTS.min_bpm, float, "slowest tempo considered, BPM"),
        "max_bpm": Option(_DEFAULTS.max_bpm, float, "fastest tempo considered, BPM"),
        "prior_center": Option(_DEFAULTS.prior_center, float, "centre of the log-Gaussian tempo prior, BPM"),
        "prior_width": Option(_DEFAULTS.prior_width, float, "width (std) of the tempo prior, octaves"),
        "window_width": Option(
            _DEFAULTS.window_width, float, "width of the prior around the track tempo for windows, octaves"
        ),
    }

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        if not 0 < self.opts["min_bpm"] < self.opts["max_bpm"]:
            raise OptionError(
                f"tempo backend 'librosa' needs 0 < min_bpm < max_bpm, got "
                f"min_bpm={self.opts['min_bpm']}, max_bpm={self.opts['max_bpm']}"
            )
        if self.opts["prior_width"] <= 0 or self.opts["window_width"] <= 0:
            raise OptionError(
                "tempo backend 'librosa': prior_width and window_width must be positive octaves"
            )

    @property
    def settings(self) -> TempoSettings:
        return TempoSettings(**self.opts)

    def estimate_tempo(self, ctx: TrackContext) -> TempoEstimate:
        return ctx.estimate_tempo(self.settings)
