"""Ground truth of a render, read off its plans and score: beats, tempo, key, region boundaries and
the instruments that play."""

from __future__ import annotations

import numpy as np

from mirloop.renderer.meter import Meter
from mirloop.renderer.plan import RegionPlan
from mirloop.renderer.score import Score
from mirloop.types.render import GroundTruth, RegionTruth


def ground_truth(plans: list[RegionPlan], duration: float, score: Score) -> GroundTruth:
    """Beat times of every region's grid and one :class:`RegionTruth` per region: its instruments
    are the parts of ``score`` that play in it (the band, and the layers a production adds), its
    key the plan's when one of them is pitched (a percussion ensemble's has none, unless a
    production lays chords over it)."""
    beats: list[float] = []
    regions: list[RegionTruth] = []
    for plan in plans:
        style = plan.descriptor.style
        meter = Meter.of(plan.start, plan.tempo, style.meter, style.feel)
        beats.extend(meter.beat_times(min(plan.end, duration)))
        instruments = [p.instrument for p in score.parts if p.region == plan.index and p.notes]
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
