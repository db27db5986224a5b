"""Resolved regions: what the renderer gets, with every default filled in."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from mirloop.catalog import load_catalog
from mirloop.errors import TimelineError
from mirloop.timeline import CUT, RINGOUT, Shape, Timeline, TimelineWarning, multi_region, single_region
from mirloop.types import Key


def test_regions_follow_add_region_actions(stitched: dict[str, Any]) -> None:
    first, second = Timeline.from_json(stitched).regions()
    assert (first.start, first.end, first.descriptor.name) == (0.0, 5.0, "rock_indie_driving")
    assert (second.start, second.end, second.descriptor.name) == (5.0, 20.0, "electronica_house_driving")
    assert first.key == Key("E", "minor")
    assert second.key.tonic == "E"  # a region without a key keeps the previous tonic


def test_instrument_groups_expand_to_the_instruments_of_the_band(stitched: dict[str, Any]) -> None:
    first, second = Timeline.from_json(stitched).regions()
    assert first.band == "two_guitars"
    names = [i.name for i in first.instruments]
    assert names == ["clean_guitar", "overdrive_guitar", "pick_bass", "drum_kit"]
    assert second.band == "deep_house" and second.id == 11


def test_instrument_groups_carry_over_into_the_next_region(stitched: dict[str, Any]) -> None:
    # Without its own instrument_groups, the electronica span keeps the rock band, which it lacks.
    del stitched["spans"][1]["instrument_groups"]
    expected = (r"^timeline\.spans\[0\]\.instrument_groups\[0\]: 'two_guitars' is not "
                r"a band or instrument of electronica_house_driving")
    with pytest.raises(TimelineError, match=expected):
        Timeline.from_json(stitched)


def test_ringout_defaults_to_two_seconds_before_the_end_and_cut_ends_abruptly(paper: dict[str, Any]) -> None:
    (region,) = Timeline.from_json(paper).regions()
    assert region.ending == CUT and region.ringout_at is None
    t = single_region("rock_indie_sad", 30.0)
    (region,) = t.regions()
    assert region.ending == RINGOUT and region.ringout_at == 28.0


def test_ringout_at_counts_from_the_span_start(stitched: dict[str, Any]) -> None:
    _, second = Timeline.from_json(stitched).regions()
    assert second.ending == RINGOUT and second.ringout_at == 13.0


def test_defaults_come_from_the_descriptor() -> None:
    d = load_catalog()["folk_acoustic_happy"]
    (region,) = single_region(d, 40.0).regions()
    lo, hi = d.style.tempo_range
    assert region.tempo == pytest.approx((lo + hi) / 2, abs=0.1)
    assert region.band == d.style.bands[0].name
    assert region.key == Key("C", "major")
    assert region.shape.intro == pytest.approx(d.style.intro * 40)
    assert region.shape.climax == d.style.climax
    assert region.climax_time == pytest.approx(d.style.climax * 40)


def test_shape_controls_override_the_defaults() -> None:
    shape = Shape(intro=4.0, ending=6.0, climax=0.5)
    (region,) = single_region("pop_synth_happy", 30.0, shape=shape).regions()
    assert (region.shape.intro, region.shape.ending, region.shape.climax) == (4.0, 6.0, 0.5)


def test_single_instruments_can_be_chosen_from_any_band() -> None:
    (region,) = single_region("jazz_swing_cool", 10.0, instruments=["tenor_sax", "upright_bass"]).regions()
    assert [i.name for i in region.instruments] == ["tenor_sax", "upright_bass"]
    assert region.band is None


def test_tempo_and_instrument_changes_inside_a_region_are_listed() -> None:
    t = Timeline.from_json({"spans": [
        {"time": 0, "type": "metered", "tempo": 130, "actions": [
            {"time": 0, "add_region": {"descriptor": "rock_indie_happy"}},
            {"time": 4, "set_tempo": 140, "add_instruments": ["glockenspiel"]},
            {"time": 8, "silence_instruments": "all", "set_instruments": ["keys_and_guitar"],
             "instrumentation_threshold": 0.5},
        ]},
        {"time": 12, "type": "unmetered"},
    ]})
    (region,) = t.regions()
    assert region.tempo == 130 and region.tempo_changes == ((4.0, 140.0),)
    assert [at for at, _ in region.instrument_changes] == [4.0, 8.0]
    assert region.instrument_changes[0][1][-1].name == "glockenspiel"


def test_unmetered_span_and_silence_region_end_the_music() -> None:
    t = Timeline.from_json({"spans": [
        {"time": 0, "type": "metered", "actions": [
            {"time": 0, "add_region": {"descriptor": "ambient_drone_dark"}},
            {"time": 5, "add_region": "silence"}]},
        {"time": 8, "type": "unmetered"},
        {"time": 10, "type": "metered",
         "actions": [{"time": 0, "add_region": {"descriptor": "ambient_drone_dark"}}]},
        {"time": 15, "type": "unmetered"},
    ]})
    assert [(r.start, r.end) for r in t.regions()] == [(0.0, 5.0), (10.0, 15.0)]


def test_multi_region_stitches_regions_with_silent_gaps() -> None:
    t = multi_region([(0, 10, "rock_indie_driving", 140, "d major"), (12, 30, "rock_indie_sad", None, None)])
    regions = t.regions()
    assert [(r.start, r.end) for r in regions] == [(0.0, 10.0), (12.0, 30.0)]
    sad = load_catalog()["rock_indie_sad"].style.tempo_range
    assert regions[1].tempo == pytest.approx(sum(sad) / 2, abs=0.1)  # its own default, not 140
    assert [s.type for s in t.spans] == ["metered", "unmetered", "metered", "unmetered"]


def test_joined_regions_meet_without_outro_or_intro_but_a_silent_gap_keeps_both() -> None:
    specs = [(0, 10, "rock_indie_driving"), (10, 20, "rock_indie_sad"), (24, 40, "ambient_chill_dreamy")]
    first, second, third = multi_region(specs, joined=True).regions()
    assert (first.ending, first.shape.ending, second.shape.intro) == (CUT, 0.0, 0.0)
    # the gap before the third region: the second rings out, the third starts with its intro
    assert second.ending == RINGOUT and second.shape.ending > 0.0
    assert third.shape.intro > 0.0 and third.ending == RINGOUT
    assert multi_region(specs, joined=True) == Timeline.from_json(multi_region(specs, joined=True).to_json())


def test_joined_regions_still_name_a_malformed_region() -> None:
    with pytest.raises(TimelineError, match=r"region 1: expected \(start, end, descriptor"):
        multi_region([(0, 10, "rock_indie_driving"), ()], joined=True)  # type: ignore[list-item]


def test_multi_region_refuses_overlaps() -> None:
    with pytest.raises(TimelineError, match="region 1: starts at 5 s, before the previous region ends"):
        multi_region([(0, 10, "rock_indie_driving"), (5, 20, "rock_indie_sad")])


def test_tempo_outside_the_range_is_clamped_with_a_warning() -> None:
    t = single_region("rock_indie_sad", 10.0, tempo=200)
    with pytest.warns(TimelineWarning, match=r"timeline\.spans\[0\]\.tempo: 200 BPM is outside .*clamped to"):
        (region,) = t.regions()
    assert region.tempo == load_catalog()["rock_indie_sad"].style.tempo_range[1]


def test_strict_refuses_a_tempo_outside_the_range() -> None:
    expected = r"timeline\.spans\[0\]\.tempo: 200 BPM is outside the tempo range of rock_indie_sad"
    with pytest.raises(TimelineError, match=expected):
        single_region("rock_indie_sad", 10.0, tempo=200, strict=True)


def test_validation_alone_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        single_region("rock_indie_sad", 10.0, tempo=200)
