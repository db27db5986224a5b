"""The rapper of the genre production's hip-hop (``rap`` voice, :mod:`mirloop.renderer.rap`): a
verse on the sixteenth grid in two-bar lines with a breath at their end, spoken (not sung) by a
man's voice, over the sampled TR-808 kit and 808 basses."""

from __future__ import annotations

import numpy as np

from mirloop.catalog import load_catalog
from mirloop.renderer.api import descriptor_plan
from mirloop.renderer.compose import compose
from mirloop.renderer.genre_sound import FONT_KITS, RAP_ROLE, part_voices
from mirloop.renderer.plan import RegionPlan
from mirloop.renderer.rap import LINE_BARS, RAP_RANGE, rap, speak
from mirloop.renderer.score import Score
from mirloop.renderer.voices import hz
from tests.renderer.conftest import assert_seeded

SR = 22050


def _verse(production: str = "genre") -> tuple[RegionPlan, Score]:
    name, band = "hiphop_boombap_cool", "rhodes_and_upright"
    plan = descriptor_plan(load_catalog()[name], 30.0, 4, band=band, tempo=90.0, cut=True)
    return plan, compose([plan], 30.0, 4, idioms=True, production=production)


def _f0(mono: np.ndarray) -> float:
    """The pitch (Hz) of 60 ms of voice: the lag (within a voice's range, 80–300 Hz) its waveform
    repeats at best."""
    frame = mono[:1300]
    lags = np.arange(SR // 300, SR // 80)
    match = [float(np.dot(frame[: 1300 - k], frame[k:]) / (1300 - k)) for k in lags]
    return SR / lags[int(np.argmax(match))]


def test_a_syllable_is_byte_identical_for_the_same_seed_and_differs_for_another() -> None:
    assert_seeded(lambda rng: rap(60, 100, 0.2, SR, rng))


def test_a_syllable_is_spoken_in_a_mans_voice_its_pitch_falling() -> None:
    mono = speak(48, 0.5, SR, np.random.default_rng(2), vowels=("a", "a"), consonant="none")
    start, end = _f0(mono[int(0.05 * SR) :]), _f0(mono[int(0.3 * SR) :])
    assert hz(RAP_RANGE[0]) * 0.9 < end < start < hz(RAP_RANGE[1]) * 1.1
    assert start / end > 1.03  # speech falls; a sung note holds its pitch
    left, right = rap(72, 100, 0.3, SR, np.random.default_rng(1))
    assert np.array_equal(left, right)  # a single take in the centre
    assert hz(RAP_RANGE[0]) * 0.9 < _f0(left[int(0.05 * SR) :]) < hz(RAP_RANGE[1]) * 1.1  # folded down


def test_hip_hop_raps_a_verse_over_the_sampled_808_kit_and_808_basses_in_genre_production_only() -> None:
    plan, score = _verse()
    names = [p.instrument.name for p in score.parts]
    voices = dict(zip(names, part_voices(score.parts, [plan.descriptor], production="genre"), strict=True))
    assert voices["rap_vocal"] == "rap" and voices["upright_bass"] == "bass_808"
    kit = next(p for p in score.parts if p.instrument.drums)
    assert kit.instrument.name == "room_kit" and kit.instrument.program == FONT_KITS["hiphop"]
    _, plain = _verse(production="gm")
    assert not any(p.role == RAP_ROLE for p in plain.parts)
    assert next(p for p in plain.parts if p.instrument.drums).instrument.program == 8  # the room kit


def test_the_verse_runs_on_the_sixteenths_in_two_bar_lines_each_ending_in_a_breath() -> None:
    plan, score = _verse()
    verse = next(p for p in score.parts if p.role == RAP_ROLE)
    beat = 60.0 / 90.0
    bar = 4 * beat
    start = plan.start
    swing = {0.0, 1 / 3, 2 / 3, 5 / 6}  # boom-bap swings: sixteenths at the beat's triplet positions
    positions = [((n.start - start) / beat) % 1.0 for n in verse.notes]
    assert all(min(abs(p - s) for s in (*swing, 1.0)) < 1e-3 for p in positions)
    assert len(verse.notes) >= 2.5 * 4 * 4  # most eighths of four bars or more carry a syllable
    bars = sorted({int((n.start - start + 1e-6) // bar) for n in verse.notes})
    first = bars[0]
    assert first >= 1  # the intro (2.4 s, a bar) is left to the beat
    for b in bars:
        in_bar = [n for n in verse.notes if int((n.start - start + 1e-6) // bar) == b]
        beats = [(n.start - start - b * bar) / beat for n in in_bar]
        if (b - first) % LINE_BARS == LINE_BARS - 1:
            assert max(beats) < 3.01  # the line ends on the last beat, then breathes
    pitches = {n.pitch for n in verse.notes}
    assert len(pitches) >= 4  # spoken intonation, not a monotone
