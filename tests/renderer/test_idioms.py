"""Genre idioms: renders carry what their genre's records do — pumping, distortion, power chords,
driving bass, crashes, timpani accents, a hall — and lose it when the idioms are switched off."""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.catalog import load_catalog
from mirloop.renderer import render_descriptor
from mirloop.renderer.api import descriptor_plan
from mirloop.renderer.buses import Drive, Ducker
from mirloop.renderer.compose import compose
from mirloop.renderer.drums import CRASH
from mirloop.renderer.idiom_measures import crest_db, harmonic_db, kick_dip_db, kick_times
from mirloop.renderer.options import RenderOptions
from mirloop.renderer.pitched import power_chord
from mirloop.renderer.production import Prepared
from mirloop.renderer.score import Part
from mirloop.types.render import RenderResult
from tests.renderer.conftest import FAST

SR = FAST["sr"]


def _render(name: str, band: str, *, idioms: bool, seconds: float = 12.0) -> RenderResult:
    config = {**FAST, "production": "gm", "idioms": idioms, "stems": True}  # genre plays them always
    return render_descriptor(name, seconds, seed=4, band=band, config=config)


def _part(
    name: str, band: str, instrument: str, seconds: float = 16.0, *, idioms: bool = True
) -> tuple[Part, object]:
    plan = descriptor_plan(load_catalog()[name], seconds, 4, band=band, cut=True)
    score = compose([plan], seconds, 4, idioms=idioms)
    return next(p for p in score.parts if p.instrument.name == instrument), plan


def _kick_dip_db(result: RenderResult, stem: str) -> float:
    """Median level change (dB) of ``stem`` just after each kick against just before it."""
    kicks = kick_times(result.pretty_midi)
    assert len(kicks) >= 8 and result.stems is not None
    return kick_dip_db(result.stems[stem].samples, SR, kicks)


def test_electronica_pads_pump_under_every_kick() -> None:
    ducked = _kick_dip_db(_render("electronica_house_driving", "piano_house", idioms=True), "warm_pad")
    plain = _kick_dip_db(_render("electronica_house_driving", "piano_house", idioms=False), "warm_pad")
    assert ducked < -3.0
    assert plain > -1.0


def test_rock_pads_do_not_pump() -> None:
    prepared = Prepared(
        [descriptor_plan(load_catalog()["rock_post_dreamy"], 8.0, 1, band="strings_and_guitars")],
        8.0,
        1,
        RenderOptions(**FAST),
    )
    assert not any("duck" in t for t in prepared.treatments)


def test_the_ducker_dips_by_its_depth_and_recovers_within_its_release() -> None:
    ducker = Ducker([1000], depth_db=6.0, release=0.15, sr=SR)
    gain_db = 20 * np.log10(ducker.gain(0, 1000 + int(0.3 * SR)))
    assert gain_db[:1000].max() == 0.0
    assert gain_db.min() == pytest.approx(-6.0, abs=0.05)
    assert gain_db[1000 + int(0.15 * SR)] == pytest.approx(-1.0, abs=0.05)


def _crest_db(result: RenderResult, stem: str) -> float:
    assert result.stems is not None
    return crest_db(result.stems[stem].samples)


def test_the_distortion_guitar_bus_is_driven_into_saturation() -> None:
    driven, plain = (
        _crest_db(
            _render("rock_classic_aggressive", "power_trio", idioms=on, seconds=8.0),
            "distortion_guitar",
        )
        for on in (True, False)
    )
    assert driven < plain - 6.0


def test_drive_adds_odd_harmonics_to_a_sine() -> None:
    t = np.arange(SR) / SR
    sine = np.stack([np.sin(2 * np.pi * 200 * t)] * 2).astype(np.float32) * 0.1
    driven = Drive(22.0, SR).process(sine, 0)
    assert harmonic_db(sine, SR, 200.0, 3) < -60  # the clean sine has none

    def harmonic(k: int) -> float:
        return harmonic_db(driven, SR, 200.0, k)

    assert harmonic(3) > -20 and harmonic(5) > -30  # a clipped, square-ish wave
    assert harmonic(2) < -60  # symmetric clipping: no even harmonics


def test_a_power_chord_carries_its_chords_third_a_tenth_above_the_root() -> None:
    assert power_chord(9, (9, 0, 4)) == (45, 52, 57, 60)  # A minor: A2 E3 A3, C4
    assert power_chord(9, (9, 1, 4)) == (45, 52, 57, 61)  # A major: C#4
    assert power_chord(2, (2, 5, 9)) == (50, 57, 62, 65)  # the root stays in E2–D#3
    assert power_chord(9) == (45, 52, 57)  # no chord tones: the bare fifth


def test_distorted_guitars_play_power_chords_and_the_rock_bass_drives_root_eighths() -> None:
    guitar, plan = _part("rock_classic_aggressive", "power_trio", "distortion_guitar")
    chords: list[set[int]] = []
    last = -1.0
    for note in sorted(guitar.notes, key=lambda n: n.start):  # a chord's voices are strummed 4 ms apart
        if note.start - last > 0.02:
            chords.append(set())
            last = note.start
        chords[-1].add(note.pitch)
    assert len(chords) > 8
    assert all(len(c) == 4 and {min(c) + 7, min(c) + 12} < c and max(c) - min(c) in (15, 16) for c in chords)
    bass, _ = _part("rock_classic_aggressive", "power_trio", "pick_bass")
    beat = 60 / plan.tempo  # type: ignore[attr-defined]
    gaps = np.diff(sorted({n.start for n in bass.notes}))
    assert np.median(gaps) == pytest.approx(beat / 2, rel=0.02)


def test_the_rock_kit_crashes_on_climax_downbeats() -> None:
    kit, plan = _part("rock_indie_driving", "two_guitars", "drum_kit", seconds=30.0)
    score = compose([plan], 30.0, 4, idioms=True)  # type: ignore[list-item]
    climax = score.climaxes[0]
    bar = 4 * 60 / plan.tempo  # type: ignore[attr-defined]
    crashes = [n.start for n in kit.notes if n.pitch == CRASH]
    assert any(abs(c - climax) < 0.01 for c in crashes)
    assert any(abs(c - (climax + bar)) < 0.01 for c in crashes)


def test_timpani_play_accents_not_a_bass_line() -> None:
    timpani, plan = _part("cinematic_orchestral_triumphant", "full_orchestra", "timpani", seconds=20.0)
    beat = 60 / plan.tempo  # type: ignore[attr-defined]
    onsets = np.array(sorted({n.start for n in timpani.notes}))
    beats = onsets / beat
    accents = np.isclose(beats % 2, 0, atol=0.02) | np.isclose(beats % 2, 2, atol=0.02)
    roll = onsets[~accents]  # four sixteenths through the beat before the climax
    climax = compose([plan], 20.0, 4, idioms=True).climaxes[0]  # type: ignore[list-item]
    assert len(roll) == 4 and np.allclose(np.diff(roll), beat / 4, atol=0.01)
    assert roll[-1] == pytest.approx(climax - beat / 4, abs=0.01)
    assert accents.sum() >= 5


def test_orchestral_styles_get_a_hall_with_the_idioms_and_none_without() -> None:
    plan = descriptor_plan(load_catalog()["cinematic_orchestral_triumphant"], 6.0, 1, band="chamber_strings")
    hall = Prepared([plan], 6.0, 1, RenderOptions(**FAST, production="gm", idioms=True)).settings
    dry = Prepared([plan], 6.0, 1, RenderOptions(**FAST, production="gm", idioms=False)).settings
    assert hall.decay > dry.decay + 1.0
    assert hall.wet > dry.wet * 1.4


def test_without_the_idioms_the_score_is_voiced_as_the_style_alone_says() -> None:
    guitar, _ = _part("rock_classic_aggressive", "power_trio", "distortion_guitar", idioms=False)
    first = min(n.start for n in guitar.notes)
    chord = {n.pitch for n in guitar.notes if n.start - first < 0.02}
    assert len(chord) >= 3 and not (max(chord) - min(chord) == 12 and min(chord) + 7 in chord)
    kit, _ = _part("rock_indie_driving", "two_guitars", "drum_kit", seconds=30.0, idioms=False)
    with_idioms, _ = _part("rock_indie_driving", "two_guitars", "drum_kit", seconds=30.0)
    crashes = [sum(n.pitch == CRASH for n in part.notes) for part in (kit, with_idioms)]
    assert crashes[0] < crashes[1]
