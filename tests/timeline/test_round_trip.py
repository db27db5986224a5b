"""Reading and writing timelines: every form of input, and lossless round-trips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from mirloop.timeline import Timeline, multi_region, single_region, timeline_schema


def test_the_papers_timeline_reads(paper: dict[str, Any]) -> None:
    t = Timeline.from_json(paper)
    assert t.duration == 344
    span = t.spans[0]
    assert (span.type, span.tempo, span.id) == ("metered", 100.0, 111)
    assert span.instrument_groups == ("grand_piano",)
    region = span.actions[0].add_region
    assert region is not None
    assert (region.id, region.descriptor, region.cut_at) == (222, "documentary_idiophonic_idle", 48)


def test_to_json_round_trips(paper: dict[str, Any], stitched: dict[str, Any]) -> None:
    for document in (paper, stitched):
        t = Timeline.from_json(document)
        assert Timeline.from_json(t.to_json()) == t
        assert Timeline.from_json(t.to_json(wrap=True)) == t
        assert Timeline.from_json(t.dumps()) == t


def test_reads_from_a_path_and_a_json_string(tmp_path: Path, stitched: dict[str, Any]) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(stitched))
    from_string = Timeline.from_json(json.dumps(stitched))
    assert Timeline.from_json(path) == Timeline.from_json(str(path)) == from_string


def test_output_is_valid_against_the_published_schema(stitched: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(timeline_schema())
    out = Timeline.from_json(stitched).to_json()
    jsonschema.validate(out, timeline_schema())
    jsonschema.validate({"timeline": out}, timeline_schema())


def test_output_uses_amper_key_names(stitched: dict[str, Any]) -> None:
    out = Timeline.from_json(stitched).to_json()
    first = out["spans"][0]
    assert first["instrument_groups"] == [{"instrument_group": "two_guitars"}]
    assert first["actions"][0]["add_region"]["key"] == {"tonic": "e", "quality": "minor"}
    assert out["random_seed"] == 7


def test_amper_beat_positioned_regions_become_actions() -> None:
    t = Timeline.from_json({"spans": [
        {"id": 111, "type": "metered", "time": 0, "tempo": 80,
         "regions": [
             {"id": 222, "region": "music", "descriptor": "documentary_minimal_intriguing", "beat": 0},
             {"id": 223, "region": "music", "descriptor": "documentary_minimal_idle", "beat": 16},
         ]},
        {"type": "unmetered", "time": 30},
    ]})
    starts = [(r.start, r.descriptor.name) for r in t.regions()]
    assert starts == [(0.0, "documentary_minimal_intriguing"), (12.0, "documentary_minimal_idle")]


def test_builders_round_trip() -> None:
    single = single_region("jazz_swing_playful", 20.0, tempo=150, key="bes major", band="piano_trio", seed=3)
    stitched = multi_region([(0, 10, "jazz_swing_playful", 150, "F minor"), (10, 20, "jazz_lounge_cool")])
    for t in (single, stitched):
        assert Timeline.from_json(t.to_json()) == t
