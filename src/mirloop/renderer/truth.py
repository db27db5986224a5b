"""Ground truth of a render, read off its plans: beats, tempo, key and region boundaries."""

from __future__ import annotations

import numpy as np

from mirloop.renderer.compose import playing_instruments
from mirloop.renderer.meter import Meter
from mirloop.renderer.plan import RegionPlan
from mirloop.types.render import GroundTruth, RegionTruth


def ground_truth(plans: list[RegionPlan], duration: float) -> GroundTruth:
    """Beat times of every region's grid and one :class:`RegionTruth` per region."""
    beats: list[float] = []
    regions: list[RegionTruth] = []
    for plan in plans:
        style = plan.descriptor.style
        meter = Meter.of(plan.start, plan.tempo, style.meter, style.feel)
        beats.extend(meter.beat_times(min(plan.end, duration)))
        instruments = playing_instruments(plan)
        pitched = any(not i.drums for i in instruments)
        regions.append(
            RegionTruth(
                index=plan.index,
                start=plan.start,
                end=plan.end,
                descriptor=plan.descriptor.name,
                band=plan.band.name,
                tempo=plan.tempo,
                key=plan.key if pitched else None,
                meter=style.meter,
                scale=plan.scale,
                instruments=tuple(i.name for i in instruments),
            )
        )
    return GroundTruth(np.array(sorted(beats)), tuple(regions), duration)
