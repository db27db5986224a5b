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
