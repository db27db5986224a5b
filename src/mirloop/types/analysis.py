"""Everything the analysis pipeline found for one track."""

from __future__ import annotations

from typing import Any

from attrs import field, frozen

from mirloop.types.damage import AudioDamage
from mirloop.types.estimates import KeyEstimate, Segmentation, TempoEstimate
from mirloop.types.features import Features
from mirloop.types.grid import Grid
from mirloop.types.prediction import Prediction


@frozen(eq=False)
class Analysis:
    """Features, tempo, key, form and (once a classifier is configured) descriptor predictions.

    ``backends`` maps each stage to the backend name that served it; ``timings`` maps
    stage names to seconds spent; ``flags`` are notes about the input that did not stop the
    analysis (``"silent"``: the track is digital silence, its estimates carry no information;
    ``"damaged"``: the file decoded only in part, see ``damage``; ``"near-silent"``: parts of
    the track stay at dither level or below for 5 s or more, listed in ``near_silent`` as
    ``(start, end)`` seconds, see :mod:`mirloop.signal.quiet`). ``extra`` maps each stage that is
    not built in (added by a plugin, see :mod:`mirloop.stages`) to its result, in the order the
    stages ran; how those results are written is in :mod:`mirloop.types.stage_output`.
    """

    source: str
    duration: float
    sr: int
    grid: Grid
    features: Features | None = None
    tempo: TempoEstimate | None = None
    key: KeyEstimate | None = None
    segmentation: Segmentation | None = None
    prediction: Prediction | None = None
    backends: dict[str, str] = field(factory=dict)
    timings: dict[str, float] = field(factory=dict)
    flags: tuple[str, ...] = ()
    damage: AudioDamage | None = None
    near_silent: tuple[tuple[float, float], ...] = ()
    extra: dict[str, Any] = field(factory=dict)
