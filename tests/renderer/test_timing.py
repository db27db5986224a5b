"""Exact lengths, sample-accurate region starts, hard cuts and ring-outs."""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.renderer import render
from mirloop.renderer.options import RenderOptions
from mirloop.renderer.production import render_plans
from tests.renderer.conftest import FAST, make_plan


@pytest.mark.parametrize(("duration", "sr"), [(3.3, 22050), (2.0001, 44100), (1.0, 16000)])
def test_the_sample_count_is_duration_times_sample_rate(duration: float, sr: int) -> None:
    result = render([make_plan(end=duration)], seed=1, config={**FAST, "sr": sr})
    assert result.audio.sr == sr
    assert result.audio.samples.shape == (2, round(duration * sr))


def test_a_timeline_shorter_than_one_sample_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from mirloop.errors import RenderError
    from mirloop.timeline import multi_region

    with pytest.raises(RenderError, match=r"would last 1e-06 s, less than one sample at 22050 Hz"):
        render(multi_region([(0.0, 1e-6, "rock_indie_driving")]), seed=1, config=FAST)
    assert render([make_plan(end=1 / 22050)], seed=1, config=FAST).audio.samples.shape == (2, 1)


def test_the_command_says_so_for_a_one_microsecond_timeline(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from mirloop.cli.main import main
    from mirloop.timeline import multi_region

    timeline = tmp_path / "blip.json"
    timeline.write_text(multi_region([(0.0, 1e-6, "rock_indie_driving")]).dumps())

    status = main(["render", str(timeline), "-o", str(tmp_path / "blip.wav"), "--set", "renderer.sr=22050"])

    assert status == 2
    assert "less than one sample at 22050 Hz" in capsys.readouterr().err
    assert not (tmp_path / "blip.wav").exists()


def _silence_then_music(start: float) -> dict:
    return {
        "spans": [
            {
                "time": 0,
                "type": "metered",
                "tempo": 140,
                "actions": [
                    {"time": 0, "add_region": "silence"},
                    {"time": start, "add_region": {"descriptor": "rock_indie_driving", "cut_at": 0}},
                ],
            },
            {"time": start + 2.0, "type": "unmetered"},
        ]
    }


@pytest.mark.parametrize("start", [1.0, 1.23457])
def test_a_region_starts_on_its_exact_sample(start: float) -> None:
    result = render(_silence_then_music(start), seed=3, config=FAST)
    first = round(start * 22050)
    samples = np.abs(result.audio.samples).max(axis=0)
    assert not samples[:first].any(), "nothing may sound before the region starts"
    assert samples[first : first + 64].max() > 1e-4, "the region must sound from its first sample"
    assert result.truth.regions[0].start == pytest.approx(start)


def test_multi_region_boundaries_and_ground_truth() -> None:
    from mirloop.timeline import multi_region

    timeline = multi_region(
        [(0, 3, "rock_indie_driving", 140, "e minor"), (3, 6.5, "ambient_chill_peaceful", 72, "c major")]
    )
    result = render(timeline, seed=2, config=FAST)
    truth = result.truth
    assert [(r.start, r.end) for r in truth.regions] == [(0.0, 3.0), (3.0, 6.5)]
    assert truth.boundaries.tolist() == [3.0]
    assert [r.descriptor for r in truth.regions] == ["rock_indie_driving", "ambient_chill_peaceful"]
    assert [r.tempo for r in truth.regions] == [140.0, 72.0]
    assert [str(r.key) for r in truth.regions] == ["E minor", "C major"]
    beats = truth.beats
    assert beats[0] == 0.0 and 3.0 in beats.tolist()
    assert np.allclose(np.diff(beats[beats < 3.0]), 60 / 140)
    assert np.allclose(np.diff(beats[beats >= 3.0]), 60 / 72)
    pm = result.pretty_midi
    region_two = [n.start for i in pm.instruments if "region 1" in i.name for n in i.notes]
    assert min(region_two) >= 3.0 - 0.01


def test_a_cut_stops_the_dry_sound_within_a_short_fade() -> None:
    plan = make_plan(end=3.0, cut=True)
    options = RenderOptions(**FAST, stems=True)
    result = render_plans([plan], 4.0, 1, options)
    after = round(3.0 * 22050) + round(0.015 * 22050)
    assert result.stems is not None
    for role, stem in result.stems.items():
        assert np.abs(stem.samples[:, after:]).max() < 1e-3, role
    before = np.sqrt(np.mean(result.audio.samples[:, after - 22050 : after - 441] ** 2))
    tail = np.sqrt(np.mean(result.audio.samples[:, after + 2205 :] ** 2))
    assert tail < before * 0.1, "only a faint reverb tail may follow a hard cut"


def test_a_ring_out_lets_the_final_chord_decay_past_the_region_end() -> None:
    plan = make_plan(end=3.0, cut=False, ringout=2.0)
    result = render_plans([plan], 4.0, 1, RenderOptions(**FAST, stems=True))
    assert result.stems is not None
    after = round(3.05 * 22050)
    decaying = max(np.abs(s.samples[:, after : after + 2205]).max() for s in result.stems.values())
    assert decaying > 1e-3
    pm = result.pretty_midi
    last_onsets = [n.start for i in pm.instruments for n in i.notes if n.start >= 2.0 - 1e-3]
    assert last_onsets and all(abs(t - min(last_onsets)) < 0.01 for t in last_onsets), (
        "a ring-out is one final attack"
    )


def test_a_tempo_change_inside_a_region_changes_the_beat_grid_there() -> None:
    timeline = {
        "spans": [
            {
                "time": 0,
                "type": "metered",
                "tempo": 130,
                "actions": [{"time": 0, "add_region": {"descriptor": "rock_indie_driving", "cut_at": 0}}],
            },
            {"time": 4, "type": "metered", "tempo": 140},
            {"time": 8, "type": "unmetered"},
        ]
    }
    result = render(timeline, seed=1, config=FAST)
    assert result.audio.n_samples == 8 * 22050
    assert [r.tempo for r in result.truth.regions] == [130.0, 140.0]
    beats = result.truth.beats
    assert np.allclose(np.diff(beats[beats < 4.0]), 60 / 130)
    assert np.allclose(np.diff(beats[beats >= 4.0]), 60 / 140)
