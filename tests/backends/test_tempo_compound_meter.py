"""The track tempo is not two thirds of a compound beat (no metrical level): the comb's
compound-beat penalty, and the grouping test of the half-period pulses' accents."""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.signal.tempo import (
    TRIPLE_GROUPING_ALPHA,
    TempoSettings,
    choose_tempo,
    compute_tempogram,
    estimate_track_tempo,
    groups_in_threes,
    phase_f_test,
)
from mirloop.types import Grid

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


def accented_envelope(
    beat_bpm: float, figure: tuple[int, ...], units_per_beat: int, units_per_bar: int, *, seed: int = 0
) -> np.ndarray:
    """30 s of onsets on the ``figure`` units of each bar, each with a random accent (0.5–1)."""
    rng = np.random.default_rng(seed)
    envelope = np.zeros(int(30.0 * FPS) + 1)
    unit = 60.0 / beat_bpm / units_per_beat
    bar = 0
    while (bar + 1) * units_per_bar * unit < 29.9:
        for k in figure:
            envelope[round((bar * units_per_bar + k) * unit * FPS)] = rng.uniform(0.5, 1.0)
        bar += 1
    return envelope


def comb_answer(envelope: np.ndarray) -> float:
    acf = compute_tempogram(envelope, fps=FPS).acf.mean(axis=1)
    return choose_tempo(acf, fps=FPS, min_bpm=40, max_bpm=240, prior_center=120, prior_width=1.5).bpm


def track_tempo(envelope: np.ndarray) -> float:
    estimate = estimate_track_tempo(
        compute_tempogram(envelope, fps=FPS),
        envelope,
        grid=Grid(duration=len(envelope) / FPS),
        sr=22050,
        hop_length=512,
        settings=TempoSettings(),
    )
    return estimate.bpm


def test_the_phase_test_sees_a_grouping_and_not_noise() -> None:
    grouped = np.tile([1.0, 0.2, 0.2], 20)
    f_grouped, p_grouped = phase_f_test(grouped, 3)
    assert f_grouped > 1e6 and p_grouped < 1e-12
    assert phase_f_test(np.ones(60), 3) == (0.0, 1.0)
    assert phase_f_test(grouped[:9], 3) == (0.0, 1.0)  # three groups: too few to read
    noisy = grouped + np.random.default_rng(1).normal(0.0, 0.3, 60)
    f_three, p_three = phase_f_test(noisy, 3)
    assert f_three > 10 and p_three < 1e-6
    f_two, p_two = phase_f_test(noisy, 2)
    assert f_two < f_three and p_two > TRIPLE_GROUPING_ALPHA
    _, p_noise = phase_f_test(np.random.default_rng(2).uniform(size=120), 3)
    assert p_noise > TRIPLE_GROUPING_ALPHA


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_jig_read_at_two_thirds_of_its_beat_is_moved_to_the_dotted_beat(seed: int) -> None:
    # Eighths 1, 2, 3, 4 and 6 of a 6/8 bar with uneven accents: the comb alone answers the
    # quarter note (1.5 × the dotted-quarter beat); its eighths accent in threes.
    envelope = accented_envelope(80.0, (0, 1, 2, 3, 5), 3, 6, seed=seed)
    answer = comb_answer(envelope)
    assert answer == pytest.approx(120.0, rel=0.04)
    acf = compute_tempogram(envelope, fps=FPS).acf.mean(axis=1)
    assert groups_in_threes(envelope, acf, fps=FPS, bpm=answer)
    assert track_tempo(envelope) == pytest.approx(80.0, rel=0.04)


@pytest.mark.parametrize(
    ("meter", "figure", "units_per_bar"),
    [
        ("4/4", (0, 2, 3, 4, 6), 8),  # quarter, two eighths, two quarters
        ("2/4", (0, 1, 2), 4),  # two eighths, a quarter
        ("3/4", (0, 2, 3, 4), 6),  # quarter, two eighths, quarter: a waltz-like bar of eighths
    ],
)
def test_duple_subdivisions_stay_where_the_comb_puts_them(
    meter: str, figure: tuple[int, ...], units_per_bar: int
) -> None:
    for seed in (0, 1, 2):
        envelope = accented_envelope(100.0, figure, 2, units_per_bar, seed=seed)
        answer = comb_answer(envelope)
        acf = compute_tempogram(envelope, fps=FPS).acf.mean(axis=1)
        assert not groups_in_threes(envelope, acf, fps=FPS, bpm=answer), (meter, seed, answer)
        assert track_tempo(envelope) == pytest.approx(answer, rel=1e-6)
