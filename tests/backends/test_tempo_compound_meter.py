"""The tempo comb does not answer two thirds of a compound beat (not a metrical level)."""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.signal.tempo import choose_tempo, compute_tempogram

FPS = 22050 / 512


def jig_envelope(beat_bpm: float, *, seconds: float = 30.0) -> np.ndarray:
    """Onsets of a 6/8 jig figure (eighths 1, 2, 3, 4, 6 of each bar) at ``beat_bpm`` dotted quarters."""
    envelope = np.zeros(int(seconds * FPS) + 1)
    eighth = 60.0 / beat_bpm / 3
    bar = 0
    while (bar * 6) * eighth < seconds - 1:
        for k in (0, 1, 2, 3, 5):
            envelope[round((bar * 6 + k) * eighth * FPS)] = 1.0
        bar += 1
    return envelope


def test_a_jig_is_read_at_a_metrical_level_not_at_two_thirds_of_its_beat() -> None:
    acf = compute_tempogram(jig_envelope(70.0), fps=FPS).acf.mean(axis=1)
    bpm = choose_tempo(acf, fps=FPS, min_bpm=40, max_bpm=240, prior_center=120, prior_width=1.5).bpm
    ratio = bpm / 70.0
    assert ratio != pytest.approx(1.5, rel=0.04)  # the quarter note of 6/8: no level of the meter
    assert any(ratio == pytest.approx(level, rel=0.04) for level in (1 / 3, 0.5, 1, 2, 3))
