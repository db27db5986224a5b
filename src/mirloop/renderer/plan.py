"""What the composer needs to know about one region, fully resolved.

A :class:`RegionPlan` is the renderer's view of a timeline region: every choice the timeline
leaves open (tempo, band, key, scale) is already made, so composing it is a pure function of
the plan and a seed.
"""

from __future__ import annotations

from attrs import frozen

from mirloop.types import Band, Descriptor, Key


@frozen
class RegionPlan:
    """One region of a render.

    Units: ``start``/``end`` in seconds from the start of the render, ``tempo`` in BPM,
    ``intro``/``ending`` in seconds, ``climax`` as a fraction of the region's length in [0, 1].
    ``cut`` ends the region with a hard cut at ``end`` (short fade); otherwise notes decay past
    ``end``, and ``ringout`` (s, absolute) is where a final chord starts that rings until ``end``.
    ``scale`` is the descriptor scale used (its mode matches ``key.mode``).
    """

    index: int
    start: float
    end: float
    descriptor: Descriptor
    band: Band
    tempo: float
    key: Key
    scale: str
    cut: bool = True
    intro: float | None = None
    ending: float | None = None
    climax: float | None = None
    ringout: float | None = None

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def percussion_only(self) -> bool:
        return all(inst.drums for inst in self.band.instruments)
