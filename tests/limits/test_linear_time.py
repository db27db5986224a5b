"""Rendering work grows linearly with a timeline's size (up to the event limit)."""

from __future__ import annotations

import time

from mirloop.renderer.channels import DRUM_CHANNEL, allocate
from mirloop.renderer.from_timeline import plans_from_regions
from mirloop.renderer.level import ScoreIndex
from mirloop.renderer.score import Note, Part, Score
from mirloop.timeline import Timeline
from mirloop.types import Instrument
from tests.limits.test_timeline_documents import tempo_changes

KIT = Instrument("kit", 0, drums=True, role="percussion")
PIANO = Instrument("piano", 0, role="harmony")


def one_second_regions(n: int) -> Score:
    """``n`` consecutive 1-s regions, each with a drum part and a piano part of four notes."""
    parts = [
        Part(instrument, region, tuple(Note(region + k / 4, region + k / 4 + 0.2, 60, 90) for k in range(4)))
        for region in range(n)
        for instrument in (KIT, PIANO)
    ]
    return Score(parts, float(n), [region + 0.5 for region in range(n)])


def test_a_region_with_9990_tempo_changes_is_planned_in_linear_time() -> None:
    regions = Timeline.from_json(tempo_changes(9_990)).regions()
    started = time.perf_counter()
    plans = plans_from_regions(regions, 1)
    assert time.perf_counter() - started < 3.0
    assert len(plans) == 9_991
    assert [p.tempo for p in plans[1:4]] == [130.0, 131.0, 132.0]


def test_channels_of_20000_parts_are_allocated_in_linear_time() -> None:
    score = one_second_regions(10_000)
    started = time.perf_counter()
    channels = allocate(score.parts)
    assert time.perf_counter() - started < 1.0
    assert [c.synth for c in channels[:4]] == [DRUM_CHANNEL, 0, DRUM_CHANNEL, 8]


def test_a_level_probe_looks_only_at_the_parts_sounding_in_it() -> None:
    index = ScoreIndex(one_second_regions(10_000))
    assert index.parts_between(5000.2, 5001.0).tolist() == [10_000, 10_001]
    assert index.notes_per_region[:3].tolist() == [8, 8, 8]
