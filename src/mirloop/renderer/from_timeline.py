"""Turning a timeline's resolved regions into region plans, making the seeded choices it leaves open.

Tempo or instrument changes inside a region split it into consecutive plans (same descriptor
and key): the first keeps the intro, the last the ending, and the one holding the climax time
its climax.
"""

from __future__ import annotations

import bisect
import math
from typing import TYPE_CHECKING, Any

from mirloop.renderer.choices import choose_band, choose_key, choose_tempo, make_band
from mirloop.renderer.compose import rng_for
from mirloop.renderer.form import ENTRY_ORDER
from mirloop.renderer.plan import RegionPlan
from mirloop.types import Band, Instrument

if TYPE_CHECKING:
    from mirloop.timeline.region import Region


def plans_from_regions(regions: tuple[Region, ...] | list[Region], seed: int) -> list[RegionPlan]:
    """Region plans for resolved timeline regions, in time order."""
    plans: list[RegionPlan] = []
    for number, region in enumerate(regions):
        rng = rng_for(seed, "timeline", number)
        descriptor = region.descriptor
        key, scale = choose_key(descriptor, region.key, None, rng)
        tempo = choose_tempo(descriptor, rng) if region.random_tempo else float(region.tempo)
        if region.random_instruments:
            band = choose_band(descriptor, None, rng)
        else:
            band = make_band(region.band or "custom", region.instruments)
        band = _thin(band, region.instrumentation_threshold, rng)
        cuts = sorted({t for t, _ in region.tempo_changes} | {t for t, _ in region.instrument_changes})
        cuts = [t for t in cuts if region.start < t < region.end]
        edges = [region.start, *cuts, region.end]
        climax_time = region.start + region.shape.climax * region.duration
        for k in range(len(edges) - 1):
            start, end = edges[k], edges[k + 1]
            tempo_here = _latest(region.tempo_changes, start, tempo)
            instruments = _latest(region.instrument_changes, start, None)
            band_here = band if instruments is None else make_band(band.name, instruments)
            last = k == len(edges) - 2
            climax = (climax_time - start) / (end - start) if start <= climax_time < end else 1.0
            plans.append(
                RegionPlan(
                    index=len(plans),
                    start=start,
                    end=end,
                    descriptor=descriptor,
                    band=band_here,
                    tempo=float(tempo_here),
                    key=key,
                    scale=scale,
                    cut=region.ending == "cut" if last else False,
                    intro=region.shape.intro if k == 0 else 0.0,
                    ending=region.shape.ending if last else 0.0,
                    climax=min(1.0, max(0.0, climax)),
                    ringout=region.ringout_at if last else None,
                )
            )
    return plans


def _latest(changes: tuple[tuple[float, Any], ...], at: float, default: Any) -> Any:
    """The item of the last change at or before ``at`` (changes are in time order)."""
    index = bisect.bisect_right(changes, at + 1e-9, key=lambda change: change[0])
    return changes[index - 1][1] if index else default


def _thin(band: Band, threshold: float, rng: Any) -> Band:
    """Keep ``threshold`` (0–1) of the band's instruments, the earliest-entering roles first."""
    if threshold >= 1.0 or len(band.instruments) <= 1:
        return band
    keep = max(1, math.ceil(threshold * len(band.instruments)))
    ranked = sorted(band.instruments, key=lambda i: (ENTRY_ORDER.get(_role(i), 9), rng.random()))
    chosen = set(ranked[:keep])
    return make_band(band.name, tuple(i for i in band.instruments if i in chosen))


def _role(instrument: Instrument) -> str:
    return "percussion" if instrument.drums else instrument.role
