"""Amper-compatible render timelines: read, validate, build, and resolve into regions.

Public API::

    from mirloop.timeline import Timeline, single_region, multi_region
    t = Timeline.from_json(path_or_dict_or_json_string)     # schema + semantic checks
    t.to_json()                                             # round-trips through from_json
    for r in t.regions():                                   # what a renderer plays
        r.start, r.end, r.descriptor.style, r.tempo, r.key, r.instruments, r.ending, r.shape
    single_region("rock_indie_driving", 30.0, tempo=120, key="bes major", band="two_guitars")
    multi_region([(0, 12, "rock_indie_driving", 120, "e minor"), (12, 30, "rock_indie_sad")])

The format (``mirloop/data/timeline.schema.json``): spans with ``time`` (seconds, increasing),
``type`` (``metered``/``unmetered``; the last one is unmetered and ends the piece), ``tempo``
(BPM), ``id``, ``instrument_groups``; actions at ``time`` seconds after their span's start with
``add_region`` (``id``, ``descriptor``, ``key{tonic, quality}`` in LilyPond names, ``cut_at`` or
``ringout_at``, ``random_tempo``, ``random_instruments``, ``shape{intro, ending, climax}``),
``set_tempo``, ``set_instruments``, ``add_instruments``, ``silence_instruments``. Problems raise
:class:`~mirloop.errors.TimelineError` naming the JSON path. Tempo policy: out-of-range tempi are
clamped with a :class:`TimelineWarning`, or refused with ``strict=True``.
"""

from mirloop.errors import TimelineError
from mirloop.timeline.build import key_signature, multi_region, single_region
from mirloop.timeline.document import Action, AddRegion, KeySignature, Shape, Span, Timeline, validate
from mirloop.timeline.region import CUT, RINGOUT, Region, RegionShape
from mirloop.timeline.resolve import resolve_regions
from mirloop.timeline.schema import check_schema, timeline_schema
from mirloop.timeline.validate import TimelineWarning, check_structure

__all__ = [
    "CUT",
    "RINGOUT",
    "Action",
    "AddRegion",
    "KeySignature",
    "Region",
    "RegionShape",
    "Shape",
    "Span",
    "Timeline",
    "TimelineError",
    "TimelineWarning",
    "check_schema",
    "check_structure",
    "key_signature",
    "multi_region",
    "resolve_regions",
    "single_region",
    "timeline_schema",
    "validate",
]
