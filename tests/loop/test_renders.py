"""Render planning: single-region candidates and multi-region timelines that follow the form."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from mirloop.errors import RenderError
from mirloop.loop.reduce import Candidates
from mirloop.loop.renders import MULTI, LoopRender, plan_multi, plan_single, region_specs, run_render
from mirloop.timeline import Timeline

SEGMENTS = pd.DataFrame(
    [
        {
            "segment": 0,
            "start": 0.0,
            "end": 12.5,
            "descriptor": "rock_indie_driving",
            "tempo_bpm": 128.0,
            "key": "E minor",
        },
        {
            "segment": 1,
            "start": 12.5,
            "end": 13.0,
            "descriptor": "rock_indie_driving",
            "tempo_bpm": 128.0,
            "key": "E minor",
        },
        {
            "segment": 2,
            "start": 13.0,
            "end": 40.0,
            "descriptor": "ambient_chill_dreamy",
            "tempo_bpm": 80.0,
            "key": "C major",
        },
    ]
)


def test_single_region_renders_cross_descriptors_tempi_and_keys_over_the_whole_track() -> None:
    candidates = Candidates(("rock_indie_driving", "ambient_chill_dreamy"), (120.0, 90.0), ("E minor",))
    jobs = plan_single("t", candidates, 37.5, seed=1)
    assert len(jobs) == 2 * 2 * 1
    assert {j.descriptor for j in jobs} == set(candidates.descriptors)
    for job in jobs:
        assert job.timeline.duration == 37.5 and len(job.timeline.regions()) == 1
    assert len({j.seed for j in jobs}) == 4


def test_multi_region_timelines_follow_the_segments_and_vary_only_the_bands() -> None:
    jobs = plan_multi("t", SEGMENTS, renders=3, seed=0)
    assert len(jobs) == 3 and all(j.kind == MULTI for j in jobs)
    regions = jobs[0].timeline.regions()
    # the 0.5-s segment joins its predecessor: regions keep the segment boundaries otherwise
    assert [(r.start, r.end) for r in regions] == [(0.0, 13.0), (13.0, 40.0)]
    assert [r.descriptor.name for r in regions] == ["rock_indie_driving", "ambient_chill_dreamy"]
    assert jobs[0].segments == (0, 2)
    assert len({j.seed for j in jobs}) == 3
    assert plan_multi("t", SEGMENTS, renders=3, seed=0)[1].timeline == jobs[1].timeline  # reproducible


def test_joined_regions_are_sections_of_one_piece() -> None:
    joined = plan_multi("t", SEGMENTS, renders=1, seed=0)[0].timeline.regions()
    first, last = joined
    # the inner boundary is cut with no outro before it and no intro after it ...
    assert (first.ending, first.shape.ending) == ("cut", 0.0)
    assert last.shape.intro == 0.0
    # ... while the piece keeps the descriptors' own intro and ring-out ending
    assert first.shape.intro > 0.0
    assert last.ending == "ringout" and last.shape.ending > 0.0


def test_separate_regions_each_have_an_intro_and_a_ring_out() -> None:
    separate = plan_multi("t", SEGMENTS, renders=1, seed=0, joined=False)[0].timeline.regions()
    assert all(r.ending == "ringout" and r.shape.intro > 0.0 and r.shape.ending > 0.0 for r in separate)


def test_timelines_are_amper_json_that_reads_back() -> None:
    job = plan_multi("t", SEGMENTS, renders=1)[0]
    data = job.timeline.to_json(wrap=True)
    assert data["timeline"]["spans"][-1]["type"] == "unmetered"
    assert Timeline.from_json(data) == job.timeline


def test_segments_without_descriptor_extend_their_neighbours() -> None:
    table = SEGMENTS.copy()
    table.loc[0, "descriptor"] = None
    specs, owners = region_specs(table)
    assert [(s[0], s[1]) for s in specs] == [(0.0, 40.0)] and owners == (2,)
    assert plan_multi("t", table.assign(descriptor=None)) == []


class FailingRenderer:
    """A renderer that always fails, as a broken backend would."""

    def render(self, timeline: Any, seed: int | None = None) -> Any:
        raise RenderError("no SoundFont installed")


class CrashingRenderer:
    def render(self, timeline: Any, seed: int | None = None) -> Any:
        raise ZeroDivisionError("bug")


@pytest.mark.parametrize("renderer", [FailingRenderer(), CrashingRenderer()])
def test_a_failing_renderer_becomes_a_failed_outcome(renderer: Any) -> None:
    job: LoopRender = plan_multi("t", SEGMENTS, renders=1)[0]
    outcome = run_render(job, renderer)
    assert not outcome.ok and outcome.audio is None
    assert ("no SoundFont" in str(outcome.error)) or ("ZeroDivisionError" in str(outcome.error))


def test_tempi_move_by_octaves_into_the_descriptors_range() -> None:
    from mirloop.catalog import load_catalog
    from mirloop.loop.renders import fit_tempo

    low, high = load_catalog()["ambient_chill_dreamy"].style.tempo_range
    assert (low, high) == (70.0, 76.0)
    # the core is 71.5–74.5 BPM: a quarter of the range is kept clear at either end
    assert fit_tempo("ambient_chill_dreamy", 150.0) == 74.5  # 75 by octave, then into the core
    assert fit_tempo("ambient_chill_dreamy", 73.0) == 73.0
    assert fit_tempo("ambient_chill_dreamy", 100.0) == 74.5  # no octave fits: the nearest, clamped
    assert fit_tempo("ambient_chill_dreamy", 140.0) == 71.5  # 70 is nearer in octaves than 140
    assert fit_tempo("ambient_chill_dreamy", None) is None
    # margin 0: the whole range
    assert fit_tempo("ambient_chill_dreamy", 150.0, margin=0.0) == 75.0
    assert fit_tempo("ambient_chill_dreamy", 100.0, margin=0.0) == 76.0
    assert fit_tempo("ambient_chill_dreamy", 51.0, margin=0.0) == 76.0  # 102 is 0.42 octave out, 51 0.46
    with pytest.raises(ValueError, match="tempo margin"):
        fit_tempo("ambient_chill_dreamy", 100.0, margin=0.5)


def test_a_key_against_the_descriptors_tonality_becomes_its_relative_key() -> None:
    from mirloop.loop.renders import fit_key

    # ambient_chill_dreamy is major (lydian first), rock_indie_sad minor
    assert fit_key("ambient_chill_dreamy", "E minor") == "G major"
    assert fit_key("ambient_chill_dreamy", "Bb major") == "Bb major"
    assert fit_key("rock_indie_sad", "C major") == "A minor"
    assert fit_key("rock_indie_sad", "A:minor") == "A:minor"
    assert fit_key("rock_indie_sad", "F#") == "F#" and fit_key("rock_indie_sad", None) is None


class RecordingRenderer:
    """Returns a whole RenderResult (audio, MIDI, truth) from the built-in renderer, as renderers do."""

    def render(self, timeline: Any, seed: int | None = None) -> Any:
        from mirloop.renderer import render

        return render(timeline, seed=seed)


def test_a_finished_render_keeps_the_renderers_whole_result() -> None:
    job: LoopRender = plan_multi("t", SEGMENTS, renders=1)[0]
    outcome = run_render(job, RecordingRenderer())
    assert outcome.ok and outcome.result is not None
    assert outcome.result.midi.startswith(b"MThd")  # MIDI, stems, truth: all there to write
    assert outcome.audio is outcome.result.audio


class BareAudioRenderer:
    """A renderer that returns the audio alone instead of a RenderResult."""

    def render(self, timeline: Any, seed: int | None = None) -> Any:
        from mirloop.types import Audio

        return Audio(np.zeros((2, 8000), dtype=np.float32), 8000)


def test_a_renderer_that_returns_bare_audio_becomes_a_failed_outcome_naming_the_type() -> None:
    job: LoopRender = plan_multi("t", SEGMENTS, renders=1)[0]
    outcome = run_render(job, BareAudioRenderer())  # type: ignore[arg-type]
    assert not outcome.ok and outcome.audio is None
    assert "render() returned Audio, expected mirloop.types.RenderResult" in str(outcome.error)
