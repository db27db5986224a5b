"""What the composer writes: percussion-only styles, moods that differ, form and harmony."""

from __future__ import annotations

import numpy as np

from mirloop.catalog import load_catalog
from mirloop.renderer import render_descriptor
from mirloop.renderer.api import descriptor_plan
from mirloop.renderer.compose import compose, region_context
from mirloop.renderer.form import active_instruments, plan_form
from mirloop.renderer.harmony import voice
from mirloop.renderer.theory import parse_numeral, pitch_class
from mirloop.types import Band, Instrument, Key
from tests.renderer.conftest import BAND, FAST, make_descriptor, make_plan


def test_a_percussion_only_style_has_no_pitched_notes_and_no_key() -> None:
    config = {**FAST, "production": "gm"}
    result = render_descriptor("cinematic_percussion_primal_pulsing", 8.0, seed=2, config=config)
    instruments = result.pretty_midi.instruments
    assert instruments and all(i.is_drum for i in instruments)
    assert sum(len(i.notes) for i in instruments) > 20
    assert result.truth.regions[0].key is None
    assert all("kit" in name for name in result.truth.regions[0].instruments)


def test_chords_a_production_lays_over_a_percussion_ensemble_give_its_truth_a_key() -> None:
    # the genre production's cinematic layers play the plan's chords: the truth names them and the key
    result = render_descriptor("cinematic_percussion_primal_pulsing", 8.0, seed=2, config=FAST)
    region = result.truth.regions[0]
    pitched = [i for i in result.pretty_midi.instruments if not i.is_drum and i.notes]
    assert pitched and region.key is not None
    assert {i.name.split(" (")[0] for i in pitched} <= set(region.instruments)
    tonic = region.key.pitch_class
    classes = {n.pitch % 12 for i in pitched for n in i.notes}
    assert tonic in classes or (tonic + 7) % 12 in classes  # the chords are the key's


def _profile(name: str, seed: int) -> dict[str, float]:
    descriptor = load_catalog()[name]
    plan = descriptor_plan(descriptor, 30.0, seed, tempo=sum(descriptor.style.tempo_range) / 2, tonic="A")
    score = compose([plan], 30.0, seed, idioms=False)
    pitched = [n for p in score.parts if not p.instrument.drums for n in p.notes]
    weight = np.zeros(12)
    for n in pitched:
        weight[(n.pitch - 9) % 12] += n.end - n.start
    return {
        "minor_over_major_third": float(weight[3] / max(weight[4], 1e-9)),
        "notes_per_second": len(pitched) / 30.0,
        "mean_pitch": float(np.mean([n.pitch for n in pitched])),
        "mean_length": float(np.mean([n.end - n.start for n in pitched])),
    }


def test_a_sad_and_a_happy_mood_of_one_subgenre_differ_in_mode_density_and_register() -> None:
    sad, happy = _profile("rock_indie_sad", 1), _profile("rock_indie_happy", 1)
    assert sad["minor_over_major_third"] > 1.2 and happy["minor_over_major_third"] < 0.5
    assert happy["notes_per_second"] > 1.2 * sad["notes_per_second"]
    assert sad["mean_length"] > happy["mean_length"]


def test_dark_moods_sit_lower_than_bright_ones() -> None:
    dark, uplifting = _profile("electronica_house_dark", 2), _profile("electronica_house_uplifting", 2)
    assert dark["mean_pitch"] < uplifting["mean_pitch"]


def test_roman_numerals_are_realised_in_the_key_and_scale() -> None:
    major = (0, 2, 4, 5, 7, 9, 11)
    minor = (0, 2, 3, 5, 7, 8, 10)
    assert parse_numeral("vi", pitch_class("C"), major).tones == (9, 0, 4)
    assert parse_numeral("V7", pitch_class("G"), major).tones == (2, 6, 9, 0)
    assert parse_numeral("VI", pitch_class("A"), minor).tones == (5, 9, 0)
    assert parse_numeral("bVII", pitch_class("C"), major).root == 10
    assert parse_numeral("ii°", pitch_class("A"), minor).tones == (11, 2, 5)
    assert pitch_class("fis") == pitch_class("F#") == 6 and pitch_class("es") == 3


def test_a_progression_changes_mode_chord_by_chord() -> None:
    from mirloop.renderer.theory import SCALES, in_other_mode
    from mirloop.types.estimates import PITCH_CLASSES

    def played(symbols: list[str], tonic: str, home: str, scale: str) -> list[set[str]]:
        t, h, s = pitch_class(tonic), SCALES[home], SCALES[scale]
        chords = [in_other_mode(parse_numeral(x, t, h), t, h, s) for x in symbols]
        return [{PITCH_CLASSES[p] for p in chord.tones} for chord in chords]

    # a minor progression in C major: i bVI bIII become I vi iii; bVII and iv, which hold no
    # E flat, stay (both modes borrow them)
    assert played(["i", "bVI", "bIII", "bVII", "iv"], "C", "minor", "major") == [
        {"C", "E", "G"}, {"A", "C", "E"}, {"E", "G", "B"}, {"Bb", "D", "F"}, {"F", "Ab", "C"}
    ]
    # a major one in A minor: I vi iii become i bVI bIII; V (the minor key's dominant) and IV stay
    assert played(["I", "V", "vi", "iii", "IV"], "A", "major", "minor") == [
        {"A", "C", "E"}, {"E", "Ab", "B"}, {"F", "A", "C"}, {"C", "E", "G"}, {"D", "F#", "A"}
    ]
    # sevenths keep their size; dorian's i7 in mixolydian is I7
    assert played(["Imaj7"], "C", "major", "minor") == [{"C", "Eb", "G", "Bb"}]
    assert played(["i7"], "C", "dorian", "mixolydian") == [{"C", "E", "G", "Bb"}]


def test_no_chord_of_a_key_of_the_other_mode_holds_the_descriptors_own_third() -> None:
    catalog = load_catalog()
    for descriptor in catalog:
        style = descriptor.style
        if not style.scales or style.open_harmony:
            continue
        own = descriptor_plan(descriptor, 12.0, seed=5, tonic="D").key
        other = Key("D", "minor" if own.mode == "major" else "major")
        ctx = region_context(descriptor_plan(descriptor, 12.0, seed=5, key=other), seed=5, idioms=False)
        own_third, key_third = (ctx.tonic + 4) % 12, (ctx.tonic + 3) % 12
        if own.mode == "minor":
            own_third, key_third = key_third, own_third
        for span in ctx.spans:
            assert own_third not in span.chord.tones, f"{descriptor.name} in {other}: {span.chord}"
            if span.chord.root == ctx.tonic:  # a tonic chord states the key's mode
                assert key_third in span.chord.tones, f"{descriptor.name} in {other}: {span.chord}"


def test_voice_leading_moves_each_voice_as_little_as_possible() -> None:
    c_major = parse_numeral("I", 0, (0, 2, 4, 5, 7, 9, 11))
    f_major = parse_numeral("IV", 0, (0, 2, 4, 5, 7, 9, 11))
    first = voice(c_major, None, 55, 76, 3)
    second = voice(f_major, first, 55, 76, 3)
    assert sum(abs(a - b) for a, b in zip(sorted(first), sorted(second))) <= 3


def test_the_intro_has_the_fewest_instruments_and_the_climax_all_of_them() -> None:
    form = plan_form(16, 2.0, intro=4.0, ending=2.0, climax=0.6)
    counts = [
        len(active_instruments(BAND.instruments, form.intensity[b], form.sections[b])) for b in range(16)
    ]
    assert form.sections[:2] == ("intro", "intro") and form.sections[-1] == "outro"
    assert counts[0] == min(counts) < counts[form.climax_bar] == len(BAND.instruments)
    assert form.sections[form.climax_bar] == "climax" and form.climax_bar == 9


def test_intro_length_and_climax_position_are_taken_per_region() -> None:
    ctx = region_context(
        make_plan(end=16.0, tempo=120.0, intro=4.0, ending=2.0, climax=0.25), seed=1, idioms=False
    )
    assert ctx.form.intro_bars == 2 and ctx.form.outro_bars == 1 and ctx.form.climax_bar == 2


def test_swing_moves_the_offbeat_eighths_late() -> None:
    straight = compose(
        [
            make_plan(
                make_descriptor(feel="straight", rhythms=("hat:x.x.x.x.x.x.x.x.",)), key=Key("C", "major")
            )
        ],
        8.0,
        1,
        idioms=False,
    )
    swung = compose(
        [make_plan(make_descriptor(feel="swing", rhythms=("hat:x.x.x.x.x.x.x.x.",)), key=Key("C", "major"))],
        8.0,
        1,
        idioms=False,
    )

    def offbeat_positions(score: object) -> set[float]:
        beat = 60 / 110.0
        drums = next(p for p in score.parts if p.instrument.drums)  # type: ignore[attr-defined]
        return {round(((n.start % beat) / beat) * 12) / 12 for n in drums.notes if n.pitch == 42}

    assert 0.5 in offbeat_positions(straight)
    assert round(2 / 3, 3) in {round(x, 3) for x in offbeat_positions(swung)}


def test_open_harmony_leaves_every_third_out_of_chords_and_melody() -> None:
    catalog = load_catalog()
    neutral = [d for d in catalog if d.sentiment == "neutral"]
    assert neutral and all(d.style.open_harmony for d in neutral)
    assert not any(d.style.open_harmony for d in catalog if d.sentiment != "neutral")
    plan = descriptor_plan(catalog["pop_synth_steady"], 12.0, seed=3, tonic="D")
    ctx = region_context(plan, seed=3, idioms=False)
    tonic = ctx.tonic
    for span in ctx.spans:
        intervals = {(t - span.chord.root) % 12 for t in span.chord.tones}
        assert not intervals & {3, 4}, f"{span.chord.symbol} keeps a third: {sorted(intervals)}"
    assert not {(tonic + s) % 12 for s in ctx.melody_scale} & {(tonic + 3) % 12, (tonic + 4) % 12}
    closed = region_context(
        descriptor_plan(catalog["pop_synth_happy"], 12.0, seed=3, tonic="D"), seed=3, idioms=False
    )
    assert any({(t - s.chord.root) % 12 for t in s.chord.tones} & {4} for s in closed.spans)


def test_open_chord_prefers_sus4_then_sus2() -> None:
    from mirloop.renderer.theory import SCALES, open_chord, without_third

    major = SCALES["major"]
    assert open_chord(parse_numeral("I", 0, major), major, 0).tones == (0, 5, 7)  # C sus4
    # IV in C: F A C; B (the fourth above F) is not in the scale, so G (sus2)
    assert open_chord(parse_numeral("IV", 0, major), major, 0).tones == (5, 7, 0)
    assert without_third(SCALES["dorian"]) == (0, 2, 5, 7, 9, 10)


def test_in_a_drum_only_style_dark_moods_play_lower_drums_than_bright_ones() -> None:
    import librosa

    centroids = {}
    for mood in ("tense", "hypnotic", "triumphant"):  # valence 0, 1, 2
        result = render_descriptor(
            f"cinematic_percussion_{mood}", 12.0, seed=4, tempo=120.0, band="taiko_ensemble", config=FAST
        )
        mono = result.audio.samples.mean(axis=0)
        centroids[mood] = float(librosa.feature.spectral_centroid(y=mono, sr=result.audio.sr).mean())
    assert centroids["tense"] < 0.8 * centroids["hypnotic"]
    assert centroids["hypnotic"] < 0.9 * centroids["triumphant"]


def test_a_band_without_drums_plays_the_styles_groove_on_its_pulse_carrier() -> None:
    """The harmony instrument that keeps time plays every beat plus the pattern's off-beat hits
    (here the 'and' of beat 2 and the last sixteenth), accented; with drums in the band it does not."""
    drumless = Band("keys", (Instrument("piano", 0, role="harmony"), Instrument("pad", 89, role="pad")))
    groove = "kick:x.....x........x rim:................"
    style = dict(rhythms=(groove,), density=0.3, articulation="sustained")
    beat = 60 / 110.0

    def piano_positions(band: Band) -> dict[float, list[int]]:
        score = compose(
            [make_plan(make_descriptor(band=band, **style), band=band, end=17.0)], 17.0, 1, idioms=False
        )
        piano = next(p for p in score.parts if p.instrument.name == "piano")
        out: dict[float, list[int]] = {}
        for n in piano.notes:
            out.setdefault(round((n.start % (4 * beat)) / beat * 4) / 4 % 4, []).append(n.velocity)
        return out

    played = piano_positions(drumless)
    assert {0.0, 1.0, 2.0, 3.0, 1.5, 3.75} <= set(played)
    assert np.mean(played[1.5]) > np.mean(played[1.0])  # the groove's hit is accented over the bare beat
    kit = Instrument("kit", 0, drums=True, role="percussion")
    with_drums = piano_positions(Band("kit", (*drumless.instruments, kit)))
    assert not {1.5, 3.75} & set(with_drums)
