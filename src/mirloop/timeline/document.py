"""The timeline: a render request as written in its JSON, with its reading, writing and checks.

:meth:`Timeline.from_json` reads and validates, :meth:`Timeline.to_json` writes, and
:meth:`Timeline.regions` gives the resolved regions a renderer plays. The parts of a timeline
(spans, actions, regions) are plain data in :mod:`mirloop.timeline.parts`; this module sits on
top of the codec, the structure checks and the resolution, which never import it at run time.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from mirloop.timeline.codec import dump, parse
from mirloop.timeline.parts import (
    ALL,
    METERED,
    UNMETERED,
    Action,
    AddRegion,
    KeySignature,
    Shape,
    Span,
)
from mirloop.timeline.resolve import resolve_regions
from mirloop.timeline.validate import TimelineWarning, check_structure

if TYPE_CHECKING:
    from mirloop.catalog import Catalog
    from mirloop.timeline.region import Region

__all__ = [
    "ALL",
    "METERED",
    "UNMETERED",
    "Action",
    "AddRegion",
    "KeySignature",
    "Shape",
    "Span",
    "Timeline",
    "validate",
]


def _spans(values: Iterable[Span]) -> tuple[Span, ...]:
    return tuple(values)


@frozen
class Timeline:
    """A render request: spans in increasing time order, the last one unmetered.

    ``random_seed`` seeds every random choice of the renderer; ``meta`` is user data carried along.
    """

    spans: tuple[Span, ...] = field(converter=_spans)
    random_seed: int | None = None
    meta: dict[str, Any] | None = field(default=None, hash=False)

    @property
    def duration(self) -> float:
        """Seconds from 0 to the final span (the end of the piece)."""
        return self.spans[-1].time if self.spans else 0.0

    @classmethod
    def from_json(
        cls, data: dict[str, Any] | str | Path, *, catalog: Catalog | None = None, strict: bool = False
    ) -> Timeline:
        """Read a timeline from a dict, a JSON string or a path, and validate it.

        Accepts the timeline object or ``{"timeline": {...}}``. Validation is the JSON Schema
        (``mirloop/data/timeline.schema.json``) plus checks against ``catalog`` (default: the
        loaded catalog); see :func:`mirloop.timeline.validate`. Raises
        :class:`~mirloop.errors.TimelineError` naming the JSON path of the first problem.
        """
        spans, random_seed, meta = parse(data)
        return validate(cls(spans=spans, random_seed=random_seed, meta=meta), catalog=catalog, strict=strict)

    def to_json(self, *, wrap: bool = False) -> dict[str, Any]:
        """The timeline as a JSON-ready dict (``{"timeline": ...}`` with ``wrap=True``)."""
        out = dump(self)
        return {"timeline": out} if wrap else out

    def dumps(self, *, indent: int | None = 2) -> str:
        """The timeline as a JSON string."""
        import json

        return json.dumps(self.to_json(), indent=indent)

    def regions(self, *, catalog: Catalog | None = None, strict: bool = False) -> tuple[Region, ...]:
        """The resolved regions to render, in time order (see :class:`mirloop.timeline.Region`).

        Tempi outside a descriptor's range are clamped with a :class:`TimelineWarning`, or refused
        with :class:`~mirloop.errors.TimelineError` when ``strict``.
        """
        return resolve_regions(self, catalog=catalog, strict=strict)


def validate(timeline: Timeline, *, catalog: Catalog | None = None, strict: bool = False) -> Timeline:
    """Run every check (structure, then descriptors, instrument groups, ring-outs, shapes, tempi).

    Returns the timeline unchanged. Tempo clamping warnings are left to :meth:`Timeline.regions`.
    """
    check_structure(timeline)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TimelineWarning)
        resolve_regions(timeline, catalog=catalog, strict=strict, checked=True)
    return timeline
