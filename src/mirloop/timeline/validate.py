"""Checks that the schema cannot express: time order, the end span, catalog references.

Every failure raises :class:`~mirloop.errors.TimelineError` whose message starts with the JSON
path of the problem, e.g. ``timeline.spans[2].time: 3.0 is before the previous span (5.0); ...``.

Tempo policy: a tempo outside the active descriptor's range is clamped into it with a
:class:`TimelineWarning` (default), or refused with a ``TimelineError`` when ``strict=True``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from mirloop.errors import TimelineError
from mirloop.timeline.parts import Action
from mirloop.timeline.schema import json_path
from mirloop.timeline.tonic import COMMON, is_tonic

if TYPE_CHECKING:
    from mirloop.timeline.document import Timeline


class TimelineWarning(UserWarning):
    """A timeline value was adjusted to fit its descriptor (e.g. a tempo was clamped)."""


ACTION_FIELDS = ("add_region", "set_tempo", "set_instruments", "add_instruments", "silence_instruments")


def _fail(path: list[str | int], problem: str) -> TimelineError:
    return TimelineError(f"{json_path(path)}: {problem}")


def _check_finite(path: list[str | int], values: dict[str, float | None]) -> None:
    for name, value in values.items():
        if value is not None and not math.isfinite(value):
            raise _fail([*path, name], f"{value!r} is not a finite number; give seconds, BPM or a share")


def _check_action_numbers(action: Action, where: list[str | int]) -> None:
    _check_finite(where, {"time": action.time, "set_tempo": action.set_tempo,
                          "instrumentation_threshold": action.instrumentation_threshold})
    region = action.add_region
    if region is not None:
        _check_finite([*where, "add_region"], {"cut_at": region.cut_at, "ringout_at": region.ringout_at})
        if region.shape is not None:
            shape = region.shape
            _check_finite([*where, "add_region", "shape"],
                          {"intro": shape.intro, "ending": shape.ending, "climax": shape.climax})


def check_structure(timeline: Timeline) -> None:
    """Span order, the final unmetered span, action times inside their span, unique ids, keys."""
    spans = timeline.spans
    if not spans:
        raise _fail(["spans"], "no spans; a timeline needs a metered span and a final unmetered span "
                               "that ends the piece")
    previous: float | None = None
    for i, span in enumerate(spans):
        _check_finite(["spans", i], {"time": span.time, "tempo": span.tempo})
        if span.time < 0:
            raise _fail(["spans", i, "time"], f"{span.time!r} is negative; times are seconds and must be ≥ 0")
        if previous is not None and span.time < previous:
            raise _fail(["spans", i, "time"], f"{span.time!r} is before the previous span ({previous!r}); "
                                               f"spans must be in increasing time order")
        if previous is not None and span.time == previous:
            raise _fail(["spans", i, "time"], f"{span.time!r} is the start of the previous span too; "
                                               f"spans must not overlap (use strictly increasing times)")
        if span.type not in ("metered", "unmetered"):
            raise _fail(["spans", i, "type"], f"{span.type!r} is not 'metered' or 'unmetered'")
        if span.tempo is not None and not 0 < span.tempo <= 400:
            raise _fail(["spans", i, "tempo"], f"{span.tempo!r} is not a tempo; use BPM in (0, 400]")
        previous = span.time
    last = spans[-1]
    if last.metered:
        raise _fail(["spans", len(spans) - 1, "type"],
                    "the last span must be 'unmetered': it marks the end of the piece; append "
                    f'{{"time": <end in seconds>, "type": "unmetered"}} after the span at {last.time!r} s')
    if not any(s.metered for s in spans):
        raise _fail(["spans"], "no metered span; add one with an add_region action before the final span")
    _check_actions(timeline)


def _check_actions(timeline: Timeline) -> None:
    spans = timeline.spans
    region_ids: dict[int, list[str | int]] = {}
    span_ids: dict[int, int] = {}
    has_region = False
    for i, span in enumerate(spans):
        if span.id is not None:
            if span.id in span_ids:
                raise _fail(["spans", i, "id"], f"span id {span.id} is already used by "
                                                 f"spans[{span_ids[span.id]}]; ids must be unique")
            span_ids[span.id] = i
        if not span.metered and span.actions:
            raise _fail(["spans", i, "actions"], "an unmetered span is silence and cannot hold actions; "
                                                  "make the span metered or move the actions")
        length = spans[i + 1].time - span.time if i + 1 < len(spans) else 0.0
        for j, action in enumerate(span.actions):
            where: list[str | int] = ["spans", i, "actions", j]
            _check_action_numbers(action, where)
            if action.time < 0:
                raise _fail([*where, "time"], f"{action.time!r} is negative; action times are seconds after "
                                              f"the span start and must be ≥ 0")
            if action.time >= length:
                raise _fail([*where, "time"],
                            f"{action.time!r} s after the span start ({span.time!r} s) is at or after the "
                            f"span's end ({span.time + length!r} s); action times are relative to their "
                            f"span, move the action into the next span")
            if all(getattr(action, f) is None for f in ACTION_FIELDS):
                raise _fail(where, f"no action given; add one of {', '.join(ACTION_FIELDS)}")
            if action.set_tempo is not None and not 0 < action.set_tempo <= 400:
                raise _fail([*where, "set_tempo"],
                            f"{action.set_tempo!r} is not a tempo; use BPM in (0, 400]")
            region = action.add_region
            if region is None:
                continue
            rpath: list[str | int] = [*where, "add_region"]
            has_region = has_region or not region.silence
            if region.id is not None:
                if region.id in region_ids:
                    raise _fail([*rpath, "id"], f"region id {region.id} is already used at "
                                                f"{json_path(region_ids[region.id])}; ids must be unique")
                region_ids[region.id] = rpath
            if region.cut_at is not None and region.ringout_at is not None:
                raise _fail(rpath, "cut_at and ringout_at are mutually exclusive; give one of them")
            key = region.key
            if key is not None and key.tonic is not None and not is_tonic(key.tonic):
                raise _fail([*rpath, "key", "tonic"],
                            f"{key.tonic!r} is not a LilyPond tonic; use one of {COMMON}")
            if key is not None and key.quality not in (None, "major", "minor"):
                raise _fail([*rpath, "key", "quality"], f"{key.quality!r} is not 'major' or 'minor'")
    if not has_region:
        raise _fail(["spans"], 'no region of music; add {"time": 0, "add_region": {"descriptor": ...}} '
                               "to the actions of the first metered span")
