"""Timeline JSON <-> :mod:`mirloop.timeline.parts` values (schema-checked on the way in).

:func:`parse` returns the parts (spans, seed, meta) that :meth:`Timeline.from_json
<mirloop.timeline.Timeline.from_json>` assembles; :func:`dump` reads any timeline.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mirloop.errors import TimelineError
from mirloop.limits import MAX_TIMELINE_EVENTS
from mirloop.timeline.parts import ALL, Action, AddRegion, KeySignature, Shape, Span
from mirloop.timeline.schema import check_schema, json_path

if TYPE_CHECKING:
    from mirloop.timeline.document import Timeline

#: What :func:`parse` reads: the spans, the random seed and the user's ``meta``.
TimelineParts = tuple[tuple[Span, ...], int | None, dict[str, Any] | None]


def load_document(data: dict[str, Any] | str | Path) -> Any:
    """A string holding JSON or a path to a JSON file, read; any other value (a dict) as is."""
    if not isinstance(data, (str, os.PathLike)):
        return data
    if isinstance(data, str) and data.lstrip().startswith(("{", "[")):
        text, origin = data, "the JSON string"
    else:
        path = Path(data)
        try:
            text, origin = path.read_text("utf-8"), str(path)
        except UnicodeDecodeError as exc:
            raise TimelineError(f"{path} is not a JSON text file (byte {exc.start} is not UTF-8); "
                                f"a timeline is JSON written in UTF-8") from None
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise TimelineError(f"cannot read timeline file {str(path)!r}: {reason}") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise TimelineError(f"{origin} is not valid JSON: {exc}") from None
    except RecursionError:
        raise TimelineError(f"{origin} is nested too deeply to be a timeline") from None


def _refuse_constant(name: str) -> float:
    raise TimelineError(f"the timeline holds {name}; times, tempi and shapes must be finite numbers")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise TimelineError(f"the timeline holds {text}, too large for a number; use seconds and BPM")
    return value


def count_events(document: Any) -> int:
    """Spans, regions and actions of a timeline document (0 for what is not one)."""
    body = document.get("timeline", document) if isinstance(document, dict) else None
    spans = body.get("spans") if isinstance(body, dict) else None
    if not isinstance(spans, list):
        return 0
    count = len(spans)
    for span in spans:
        if isinstance(span, dict):
            for key in ("actions", "regions"):
                items = span.get(key)
                count += len(items) if isinstance(items, list) else 0
    return count


def parse(data: dict[str, Any] | str | Path) -> TimelineParts:
    """Schema-check a timeline document and build its parts (no catalog checks).

    A document holding more events than :data:`mirloop.limits.MAX_TIMELINE_EVENTS` is refused
    before any other check.
    """
    document = load_document(data)
    MAX_TIMELINE_EVENTS.check(count_events(document), "the timeline holds", error=TimelineError)
    try:
        return _parse(document)
    except RecursionError:
        raise TimelineError("the timeline is nested too deeply; spans, actions and regions are "
                            "each one level deep") from None


def _parse(document: Any) -> TimelineParts:
    check_schema(document)
    body = document.get("timeline", document)
    spans = tuple(_span(s, i) for i, s in enumerate(body["spans"]))
    return spans, body.get("random_seed"), body.get("meta")


def _span(raw: dict[str, Any], index: int) -> Span:
    kind = raw.get("type", raw.get("span_type"))
    if kind is None:
        raise TimelineError(f"{json_path(['spans', index])}: missing 'type'; "
                            f"use \"metered\" or \"unmetered\"")
    tempo = raw.get("tempo")
    actions: list[Action] = [_action(a) for a in raw.get("actions", ())]
    for j, region in enumerate(raw.get("regions", ())):
        actions.append(_beat_region(region, tempo, ["spans", index, "regions", j]))
    groups = tuple(g if isinstance(g, str) else g["instrument_group"]
                   for g in raw.get("instrument_groups", ()))
    return Span(
        time=float(raw["time"]),
        type=kind,
        tempo=None if tempo is None else float(tempo),
        id=raw.get("id"),
        instrument_groups=groups,
        actions=tuple(sorted(actions, key=lambda a: a.time)),
    )


def _beat_region(raw: dict[str, Any], tempo: float | None, where: list[str | int]) -> Action:
    beat = float(raw.get("beat", 0))
    if beat and not tempo:
        raise TimelineError(f"{json_path(where)}.beat: a region at beat {beat:g} needs the span's tempo")
    time = beat * 60.0 / tempo if tempo else 0.0
    if raw["region"] == "silence":
        return Action(time=time, add_region=AddRegion(descriptor=None, id=raw.get("id")))
    if "descriptor" not in raw:
        raise TimelineError(f"{json_path(where)}: a music region needs a 'descriptor'")
    return Action(time=time, add_region=AddRegion(descriptor=raw["descriptor"], id=raw.get("id")))


def _action(raw: dict[str, Any]) -> Action:
    region = raw.get("add_region")
    return Action(
        time=float(raw["time"]),
        add_region=None if region is None else _region(region),
        set_tempo=None if raw.get("set_tempo") is None else float(raw["set_tempo"]),
        set_instruments=raw.get("set_instruments"),
        instrumentation_threshold=raw.get("instrumentation_threshold"),
        add_instruments=raw.get("add_instruments"),
        silence_instruments=raw.get("silence_instruments"),
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _region(raw: dict[str, Any] | str) -> AddRegion:
    if raw == "silence" or not isinstance(raw, dict):
        return AddRegion(descriptor=None)
    key = raw.get("key")
    shape = raw.get("shape")
    return AddRegion(
        descriptor=raw["descriptor"],
        id=raw.get("id"),
        key=None if key is None else KeySignature(tonic=key.get("tonic"), quality=key.get("quality")),
        cut_at=_float(raw.get("cut_at")),
        ringout_at=_float(raw.get("ringout_at")),
        random_tempo=bool(raw.get("random_tempo", False)),
        random_instruments=bool(raw.get("random_instruments", False)),
        shape=None if shape is None else Shape(intro=_float(shape.get("intro")),
                                                ending=_float(shape.get("ending")),
                                                climax=_float(shape.get("climax"))),
    )


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def dump(timeline: Timeline) -> dict[str, Any]:
    """The timeline object as JSON-ready data (spans with actions; Amper key names)."""
    out: dict[str, Any] = {}
    if timeline.random_seed is not None:
        out["random_seed"] = timeline.random_seed
    if timeline.meta is not None:
        out["meta"] = timeline.meta
    out["spans"] = [_dump_span(s) for s in timeline.spans]
    return out


def _dump_span(span: Span) -> dict[str, Any]:
    out = _drop_none({"time": span.time, "type": span.type, "tempo": span.tempo, "id": span.id})
    if span.instrument_groups:
        out["instrument_groups"] = [{"instrument_group": g} for g in span.instrument_groups]
    if span.actions:
        out["actions"] = [_dump_action(a) for a in span.actions]
    return out


def _dump_action(action: Action) -> dict[str, Any]:
    silence = action.silence_instruments
    return _drop_none({
        "time": action.time,
        "add_region": None if action.add_region is None else _dump_region(action.add_region),
        "set_tempo": action.set_tempo,
        "set_instruments": None if action.set_instruments is None else list(action.set_instruments),
        "instrumentation_threshold": action.instrumentation_threshold,
        "add_instruments": None if action.add_instruments is None else list(action.add_instruments),
        "silence_instruments": silence if silence in (None, ALL) else list(silence),
    })


def _dump_region(region: AddRegion) -> dict[str, Any] | str:
    if region.descriptor is None:
        return "silence"
    out = _drop_none({"id": region.id, "descriptor": region.descriptor})
    if region.key is not None:
        out["key"] = _drop_none({"tonic": region.key.tonic, "quality": region.key.quality})
    out.update(_drop_none({"cut_at": region.cut_at, "ringout_at": region.ringout_at}))
    if region.random_tempo:
        out["random_tempo"] = True
    if region.random_instruments:
        out["random_instruments"] = True
    if region.shape is not None:
        s = region.shape
        out["shape"] = _drop_none({"intro": s.intro, "ending": s.ending, "climax": s.climax})
    return out
