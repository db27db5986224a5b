"""The steel-string acoustic guitar (``steel_guitar`` voice) of the genre production's folk: a
plucked, body-coloured waveguide string on its pitch, its highs dying first, seeded; and the
strumming that plays folk's comping chords on it."""

from __future__ import annotations

import numpy as np

from mirloop.catalog import load_catalog
from mirloop.renderer.api import descriptor_plan
from mirloop.renderer.compose import compose
from mirloop.renderer.genre_sound import STRUM_GAP, UP_STRINGS, part_voices, strum, strummed
from mirloop.renderer.guitar import steel_guitar
from mirloop.renderer.options import RenderOptions
from mirloop.renderer.production import Prepared
from mirloop.renderer.score import Note, Part
from mirloop.renderer.voices import hz
from mirloop.types import Instrument
from tests.renderer.conftest import FAST, assert_seeded

SR = 22050


def _spectrum(mono: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    padded = np.zeros(1 << 16)
    padded[: len(mono)] = mono * np.hanning(len(mono))
    return np.fft.rfftfreq(len(padded), 1 / SR), np.abs(np.fft.rfft(padded))


def _centroid(mono: np.ndarray) -> float:
    freqs, spectrum = _spectrum(mono)
    return float((spectrum * freqs).sum() / spectrum.sum())


def test_a_note_is_byte_identical_for_the_same_seed_and_differs_for_another() -> None:
    assert_seeded(lambda rng: steel_guitar(52, 127, 0.6, SR, rng))


def test_the_string_sounds_its_pitch_across_the_neck() -> None:
    for pitch in (40, 55, 64, 76):
        mono = steel_guitar(pitch, 127, 1.0, SR, np.random.default_rng(1))[0]
        freqs, spectrum = _spectrum(mono)
        f0 = hz(pitch)
        near = (freqs > 0.9 * f0) & (freqs < 1.1 * f0)
        peak = freqs[near][np.argmax(spectrum[near])]
        assert abs(1200 * np.log2(peak / f0)) < 6  # within 6 cents: the fractional delay tunes it


def test_high_partials_die_first_and_the_fretting_hand_damps_the_note() -> None:
    mono = steel_guitar(45, 127, 1.5, SR, np.random.default_rng(2))[0]
    attack, later = mono[: int(0.1 * SR)], mono[int(1.0 * SR) : int(1.1 * SR)]
    assert _centroid(later) < 0.7 * _centroid(attack)
    tail = mono[int(1.5 * SR) + int(0.08 * SR) :]
    assert np.max(np.abs(tail)) < 0.05 * np.max(np.abs(mono))


def test_the_body_adds_its_air_mode_to_a_high_strings_attack() -> None:
    mono = steel_guitar(76, 127, 0.5, SR, np.random.default_rng(3))[0][: int(0.1 * SR)]
    freqs, spectrum = _spectrum(mono)
    air = spectrum[(freqs > 80) & (freqs < 120)].max()
    below_string = spectrum[(freqs > 150) & (freqs < 500)].mean()
    assert air > 2 * below_string  # below the string's 659 Hz, the body's resonance near 100 Hz


def test_a_down_stroke_crosses_the_strings_upwards_an_up_stroke_the_top_strings_downwards() -> None:
    chord = [Note(1.0, 2.0, p, 80) for p in (64, 47, 59, 52, 67)]
    down = strum(chord, 1.0, 1.5, down=True)
    up = strum(chord, 1.5, 2.0, down=False)
    assert [n.pitch for n in down] == [47, 52, 59, 64, 67]
    assert np.allclose(np.diff([n.start for n in down]), STRUM_GAP)
    assert [n.pitch for n in up] == [67, 64, 59][:UP_STRINGS]
    assert all(n.velocity < 80 for n in up) and all(n.end == 2.0 for n in up)


def test_folk_comping_guitars_are_strummed_on_the_steel_guitar_in_genre_production_only() -> None:
    plan = descriptor_plan(load_catalog()["folk_acoustic_idle"], 8.0, 4, band="guitar_duo", cut=True)
    plain = compose([plan], 8.0, 4, idioms=True)
    produced = compose([plan], 8.0, 4, idioms=True, production="genre")
    guitar = next(p for p in produced.parts if p.instrument.name == "steel_guitar")
    before = next(p for p in plain.parts if p.instrument.name == "steel_guitar")
    assert len(guitar.notes) > 3 * len(before.notes)  # every chord struck again and again
    starts = np.array(sorted(n.start for n in guitar.notes))
    strokes = 1 + int(np.sum(np.diff(starts) > 0.1))
    assert strokes >= 3 * len({round(n.start, 1) for n in before.notes})
    voices = part_voices(produced.parts, [plan.descriptor], production="genre")
    assert voices[produced.parts.index(guitar)] == "steel_guitar"
    assert part_voices(plain.parts, [plan.descriptor], production="gm") == [None] * len(plain.parts)
    prepared = Prepared([plan], 8.0, 4, RenderOptions(**{**FAST, "production": "genre"}))
    assert prepared.settings.decay < 1.0  # a dry, close room


def _strokes(compound: bool) -> list[tuple[float, bool]]:
    """(time, down) of the strokes strumming a chord held two beats of 0.6 s."""
    chord = [Note(0.0, 1.2, p, 80) for p in (52, 55, 59, 64)]
    part = Part(Instrument("steel_guitar", 25, role="harmony"), 0, chord)
    notes = strummed(part, "folk", start=0.0, beat=0.6, compound=compound).notes
    strokes: list[list[Note]] = []
    for n in sorted(notes, key=lambda n: n.start):
        if not strokes or n.start - strokes[-1][-1].start > 2 * STRUM_GAP:
            strokes.append([])
        strokes[-1].append(n)
    return [(round(hit[0].start, 3), hit[0].pitch < hit[-1].pitch) for hit in strokes]


def test_a_jig_is_strummed_in_threes_each_beat_starting_down() -> None:
    jig = _strokes(compound=True)
    assert [at for at, _ in jig] == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]  # every eighth of a 6/8 bar
    assert [down for _, down in jig] == [True, False, True, True, False, True]  # D U D, D U D
    straight = _strokes(compound=False)  # 4/4: eighths are half beats
    assert [at for at, _ in straight] == [0.0, 0.6, 0.9]  # D . D U of the duple pattern
