"""Score renders: tempo maps, and the same events give the same samples."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from devsets.real_music.renders import NOTE_OFF, NOTE_ON, TAIL_SECONDS, NoteEvent, _tick_clock, render_events

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")


def test_ticks_become_seconds_through_tempo_changes() -> None:
    clock = _tick_clock([(0, 1_000_000), (960, 500_000)], 480)  # 60 qpm, then 120 qpm after 2 beats
    assert clock(480) == pytest.approx(1.0)
    assert clock(960) == pytest.approx(2.0)
    assert clock(1440) == pytest.approx(2.5)


def test_without_a_tempo_the_clock_runs_at_120_qpm() -> None:
    assert _tick_clock([], 480)(960) == pytest.approx(1.0)


@pytest.mark.render
def test_a_render_is_the_same_on_every_run_and_ends_after_the_tail() -> None:
    if not SOUNDFONT.is_file():
        pytest.skip("fluid-soundfont-gm is not installed")
    events = [
        NoteEvent(0.0, 2, 0, NOTE_ON, 60, 100),
        NoteEvent(0.5, 1, 0, NOTE_OFF, 60),
        NoteEvent(0.5, 2, 0, NOTE_ON, 64, 90),
        NoteEvent(1.0, 1, 0, NOTE_OFF, 64),
    ]
    first = render_events(events, soundfont=SOUNDFONT, sr=22050, max_seconds=60.0)
    second = render_events(events, soundfont=SOUNDFONT, sr=22050, max_seconds=60.0)
    assert first.shape == (round((1.0 + TAIL_SECONDS) * 22050), 2)
    assert np.array_equal(first, second)
    assert np.max(np.abs(first[: 22050 // 2])) > 0.1  # the first note sounds


@pytest.mark.render
def test_a_render_cut_at_its_maximum_length_fades_to_silence() -> None:
    if not SOUNDFONT.is_file():
        pytest.skip("fluid-soundfont-gm is not installed")
    events = [NoteEvent(0.0, 2, 0, NOTE_ON, 60, 100), NoteEvent(10.0, 1, 0, NOTE_OFF, 60)]
    audio = render_events(events, soundfont=SOUNDFONT, sr=22050, max_seconds=3.0)
    assert len(audio) == 3 * 22050
    assert np.max(np.abs(audio[-10:])) < 1e-3


def test_a_score_whose_repeats_music21_cannot_expand_is_played_straight_through() -> None:
    pytest.importorskip("music21")
    from devsets.real_music.renders import score_events, without_repeats
    from music21 import bar, note, repeat, stream

    part = stream.Part()
    for pitch in ("C4", "D4"):
        measure = stream.Measure()
        measure.append(note.Note(pitch, quarterLength=4))
        part.append(measure)
    part.getElementsByClass("Measure")[0].rightBarline = bar.Repeat(direction="end")
    part.getElementsByClass("Measure")[1].insert(0, repeat.Segno())
    plain = without_repeats(part)

    assert not any(isinstance(m.rightBarline, bar.Repeat) for m in plain.getElementsByClass("Measure"))
    assert not list(plain.recurse().getElementsByClass(repeat.RepeatExpression))
    assert isinstance(part.getElementsByClass("Measure")[0].rightBarline, bar.Repeat)  # the original is kept
    ons = [e.a for e in score_events(plain) if e.kind == 144]
    assert ons == [60, 62]
