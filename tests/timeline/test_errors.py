"""Every bad timeline fails with a TimelineError that names the JSON path and the problem."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from mirloop.errors import TimelineError
from mirloop.timeline import Action, AddRegion, Span, Timeline, check_structure

from .conftest import two_regions

Edit = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Edit:
    """An edit that sets ``spans.0.actions.0.add_region.key`` style paths of a timeline document."""

    def edit(doc: dict[str, Any]) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node: Any = doc
        for part in parents:
            node = node[part]
        node[last] = value

    return edit


def _end_span_metered(doc: dict[str, Any]) -> None:
    doc["spans"][-1] = {"time": 20.0, "type": "metered", "tempo": 124}


def _insert_span(time: float) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        doc["spans"].insert(2, {"time": time, "type": "metered", "tempo": 124})
        doc["spans"][-1]["time"] = 30.0

    return edit


def _drop_regions(doc: dict[str, Any]) -> None:
    for span in doc["spans"]:
        span.pop("actions", None)


REGION = "spans.0.actions.0.add_region"
CASES: list[tuple[str, Edit, str]] = [
    ("unordered spans", _insert_span(3.0),
     r"timeline.spans[2].time: 3.0 is before the previous span (5.0); "
     r"spans must be in increasing time order"),
    ("overlapping spans", _insert_span(5.0),
     r"timeline.spans[2].time: 5.0 is the start of the previous span too; spans must not overlap"),
    ("missing end span", _end_span_metered,
     r"timeline.spans[2].type: the last span must be 'unmetered': it marks the end of the piece"),
    ("negative span time", _set("spans.1.time", -2),
     r"timeline.spans[1].time: -2 is negative; times are seconds and must be ≥ 0"),
    ("negative action time", _set("spans.1.actions.0.time", -1),
     r"timeline.spans[1].actions[0].time: -1 is negative"),
    ("action after its span", _set("spans.0.actions.0.time", 6),
     r"timeline.spans[0].actions[0].time: 6.0 s after the span start (0.0 s) is at or after the span's end"),
    ("unknown descriptor", _set(f"{REGION}.descriptor", "rock_indie_drivin"),
     r"timeline.spans[0].actions[0].add_region.descriptor: unknown descriptor 'rock_indie_drivin'; "
     r"did you mean 'rock_indie_driving'"),
    ("unknown instrument group", _set("spans.0.instrument_groups", ["grand_piano"]),
     r"timeline.spans[0].instrument_groups[0]: 'grand_piano' is not a band or instrument of "
     r"rock_indie_driving"),
    ("invalid tonic", _set(f"{REGION}.key", {"tonic": "h", "quality": "minor"}),
     r"timeline.spans[0].actions[0].add_region.key.tonic: 'h' is invalid: "
     r"tonic must be a LilyPond note name"),
    ("invalid quality", _set(f"{REGION}.key", {"tonic": "e", "quality": "dorian"}),
     r"timeline.spans[0].actions[0].add_region.key.quality: 'dorian' is not one of 'major', 'minor'"),
    ("cut_at with ringout_at", _set("spans.1.actions.0.add_region.cut_at", 1),
     r"timeline.spans[1].actions[0].add_region: cut_at and ringout_at are mutually exclusive"),
    ("ringout outside its region", _set("spans.1.actions.0.add_region.ringout_at", 30),
     r"timeline.spans[1].actions[0].add_region.ringout_at: 30 s after the span start is 35 s, outside its "
     r"region (5–20 s)"),
    ("unknown span type", _set("spans.0.type", "free"),
     r"timeline.spans[0].type: 'free' is not one of 'metered', 'unmetered'"),
    ("tempo not positive", _set("spans.0.tempo", 0),
     r"timeline.spans[0].tempo: 0 is negative; tempo is in BPM, > 0 and ≤ 400"),
    ("misspelt key", _set(f"{REGION}.ringout", 3),
     r"timeline.spans[0].actions[0].add_region: "
     r"Additional properties are not allowed ('ringout' was unexpected)"),
    ("actions in an unmetered span", _set("spans.2.actions", [{"time": 0, "set_tempo": 100}]),
     r"timeline.spans[2].actions: an unmetered span is silence and cannot hold actions"),
    ("empty action", _set("spans.0.actions", [{"time": 0, "add_region": {"descriptor": "rock_indie_driving"}},
                                              {"time": 1}]),
     r"timeline.spans[0].actions[1]: no action given"),
    ("duplicate region ids", _set("spans.1.actions.0.add_region.id", 10),
     r"timeline.spans[1].actions[0].add_region.id: region id 10 is already used at "
     r"timeline.spans[0].actions[0].add_region"),
    ("no region at all", _drop_regions, r"timeline.spans: no region of music"),
    ("no spans", _set("spans", []), r"timeline.spans: no spans"),
    ("shape longer than the region", _set(f"{REGION}.shape", {"intro": 3, "ending": 3}),
     r"timeline.spans[0].actions[0].add_region.shape: intro (3 s) and ending (3 s) are longer than the "
     r"region (5 s)"),
]


@pytest.mark.parametrize(("edit", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_timeline_names_the_path_and_the_problem(edit: Edit, message: str) -> None:
    doc = two_regions()
    edit(doc)
    with pytest.raises(TimelineError) as caught:
        Timeline.from_json(doc)
    assert str(caught.value).startswith(message), str(caught.value)


def test_paths_are_the_same_for_wrapped_documents() -> None:
    doc = two_regions()
    doc["spans"][1]["time"] = -2
    with pytest.raises(TimelineError, match=re.escape("timeline.spans[1].time: -2 is negative")):
        Timeline.from_json({"timeline": doc})


def test_strict_tempo_error_names_the_set_tempo_action() -> None:
    doc = two_regions()
    doc["spans"][1]["actions"].append({"time": 3, "set_tempo": 40})
    expected = "timeline.spans[1].actions[1].set_tempo: 40 BPM is outside"
    with pytest.raises(TimelineError, match=re.escape(expected)):
        Timeline.from_json(doc, strict=True)


def test_invalid_json_is_reported() -> None:
    with pytest.raises(TimelineError, match="is not valid JSON"):
        Timeline.from_json('{"spans": [')


def test_hand_built_timelines_are_checked_too() -> None:
    region = AddRegion(descriptor="rock_indie_driving")
    spans = (Span(time=5.0, actions=(Action(time=0.0, add_region=region),)), Span(time=2.0, type="unmetered"))
    expected = "timeline.spans[1].time: 2.0 is before the previous span"
    with pytest.raises(TimelineError, match=re.escape(expected)):
        check_structure(Timeline(spans=spans))
