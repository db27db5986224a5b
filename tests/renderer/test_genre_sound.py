"""Genre production (``production = "genre"``): synthesised synths and drum machines, distorted
double-tracked rock guitars, orchestral layers, a sung pop lead, a rhythmic documentary string
underscore, electronica's trance gate, a front-loaded hip-hop balance, a glue-compressed master —
each measured in the render, and absent from the default (General MIDI) render."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from attrs import evolve

from mirloop.catalog import load_catalog
from mirloop.errors import OptionError
from mirloop.renderer import render, render_descriptor
from mirloop.renderer.api import descriptor_plan
from mirloop.renderer.buses import MasterBus
from mirloop.renderer.compose import compose
from mirloop.renderer.drums import BRIGHT_VOICES, DARK_VOICES, FLOOR_TOM, HIGH_TOM, LOW_TOM, MID_TOM, SHAKER
from mirloop.renderer.genre_sound import (
    DISTORTION_GUITAR,
    DOUBLE_DELAY,
    GATES,
    KICK_NOTES,
    MASTERS,
    master_of,
)
from mirloop.renderer.idiom_measures import kick_times
from mirloop.renderer.membrane import TAIKO, TAIKO_MAP
from mirloop.renderer.options import RenderOptions
from mirloop.renderer.production import Prepared
from mirloop.renderer.score import Part
from mirloop.renderer.voices import KITS, drone_pad, kick, pad, supersaw
from mirloop.timeline import multi_region, single_region
from mirloop.types.render import RenderResult
from tests.renderer.conftest import FAST

SR = FAST["sr"]


def _render(name: str, band: str, seconds: float = 12.0, **options: object) -> RenderResult:
    return render_descriptor(name, seconds, seed=4, band=band, config={**FAST, "stems": True, **options})


def _prepared(name: str, band: str, seconds: float = 8.0, **options: object) -> Prepared:
    plan = descriptor_plan(load_catalog()[name], seconds, 4, band=band, cut=True)
    return Prepared([plan], seconds, 4, RenderOptions(**{**FAST, **options}))  # type: ignore[arg-type]


def _centroid(mono: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    freqs = np.fft.rfftfreq(len(mono), 1 / SR)
    return float((spectrum * freqs).sum() / spectrum.sum())


def _peak_hz(mono: np.ndarray) -> float:
    padded = np.zeros(8192)
    padded[: len(mono)] = mono * np.hanning(len(mono))
    return float(np.fft.rfftfreq(len(padded), 1 / SR)[np.argmax(np.abs(np.fft.rfft(padded)))])


def test_the_default_render_is_the_genre_production() -> None:
    assert RenderOptions().production == "genre"
    default = _prepared("electronica_house_driving", "synth_stabs")
    assert any(v is not None for v in default.voices)  # synthesised synths, not the font's
    assert default.voices == _prepared("electronica_house_driving", "synth_stabs", production="genre").voices


def test_the_gm_production_plays_every_part_on_the_general_midi_font() -> None:
    prepared = _prepared("electronica_house_driving", "synth_stabs", production="gm")
    assert prepared.voices == [None] * len(prepared.score.parts)
    assert not any("voice" in t for t in prepared.treatments)
    plan = descriptor_plan(load_catalog()["electronica_house_driving"], 8.0, 4, band="synth_stabs", cut=True)
    assert prepared.score == compose([plan], 8.0, 4, idioms=False)


def test_an_unknown_production_is_refused_with_the_choices() -> None:
    with pytest.raises(OptionError, match="gm"):
        RenderOptions.from_mapping({"production": "lofi"})


def test_electronica_synths_and_kit_play_on_numpy_voices() -> None:
    prepared = _prepared("electronica_house_driving", "synth_stabs", production="genre")
    voices = {p.instrument.name: v for p, v in zip(prepared.score.parts, prepared.voices)}
    assert voices == {
        "poly_synth": "supersaw",
        "synth_bass": "acid_bass",
        "analog_808_kit": "kit:909",
        "saw_lead": "saw_lead",
    }


def test_hip_hop_keeps_the_fonts_sampled_kit_under_an_808_bass() -> None:
    prepared = _prepared("hiphop_trap_menacing", "bells_and_808", production="genre")
    voices = {p.instrument.name: v for p, v in zip(prepared.score.parts, prepared.voices)}
    assert voices["analog_808_kit"] is None and voices["sub_bass"] == "bass_808"
    assert voices["crystal_pad"] == "pad"


def test_the_909_kick_is_a_pitch_dropping_sine_with_its_energy_low() -> None:
    hit = kick(
        SR,
        np.random.default_rng(0),
        **{k: KITS["909"][k] for k in ("start_hz", "end_hz", "sweep", "boom", "click")},
    )
    attack, body = hit[int(0.004 * SR) : int(0.02 * SR)], hit[int(0.06 * SR) : int(0.2 * SR)]
    assert _peak_hz(attack) > 1.5 * _peak_hz(body)
    assert 40 < _peak_hz(body) < 80
    assert _centroid(hit[: int(0.3 * SR)]) < 400


def test_a_house_render_has_a_kick_on_every_beat_from_its_drum_machine() -> None:
    result = _render("electronica_house_driving", "synth_stabs", production="genre")
    assert result.stems is not None
    kit = result.stems["analog_808_kit"].samples.mean(axis=0)
    kicks = kick_times(result.pretty_midi)
    beat = 60 / result.truth.regions[0].tempo
    steady = [k for k in kicks if k > kicks[0] + 4 * beat]
    on_the_beat = np.isclose(np.diff(steady), beat, atol=0.01)
    assert len(steady) >= 8 and np.mean(on_the_beat) >= 0.8  # the fill into the climax skips one
    low = np.convolve(kit**2, np.ones(int(0.01 * SR)) / int(0.01 * SR), mode="same")
    rises = [low[int((k + 0.01) * SR)] / (low[int((k - 0.03) * SR)] + 1e-12) for k in steady]
    assert np.median(rises) > 8  # each kick stands > 9 dB over what rang just before it


def test_the_supersaw_is_a_wide_stereo_pair_whose_filter_closes_over_the_note() -> None:
    note = supersaw(57, 110, 1.5, SR, np.random.default_rng(1))
    left, right = note
    assert np.corrcoef(left, right)[0, 1] < 0.8
    start, later = note[0, : int(0.08 * SR)], note[0, int(1.0 * SR) : int(1.08 * SR)]
    assert _centroid(start) > 1.3 * _centroid(later)


def test_pads_swell_in_slowly() -> None:
    note = pad(60, 100, 3.0, SR, np.random.default_rng(2))
    rms = [float(np.sqrt(np.mean(note[:, int(a * SR) : int((a + 0.1) * SR)] ** 2))) for a in (0.0, 1.2)]
    assert rms[0] < 0.3 * rms[1]


def test_rock_comping_guitars_are_distorted_power_chords_double_tracked() -> None:
    plan = descriptor_plan(load_catalog()["rock_indie_energetic"], 12.0, 4, band="keys_and_guitar", cut=True)
    score = compose([plan], 12.0, 4, idioms=True, production="genre")
    takes = [p for p in score.parts if p.instrument.name == "clean_guitar"]
    assert len(takes) == 2 and all(p.instrument.program == DISTORTION_GUITAR for p in takes)
    first, second = takes
    assert [round(n.start + DOUBLE_DELAY, 6) for n in first.notes] == [
        round(n.start, 6) for n in second.notes
    ]
    strums: list[list[int]] = []  # a chord's notes are strummed 4 ms apart
    last = -1.0
    for n in sorted(first.notes, key=lambda n: n.start):
        if n.start - last > 0.02:
            strums.append([])
        strums[-1].append(n.pitch)
        last = n.start
    chords = [sorted(p) for p in strums if len(p) == 4]
    assert len(chords) >= 0.9 * len(strums)  # a chord cut by the region's end may lose notes
    # root, fifth, octave, and the chord's third a tenth above (the mode stays audible)
    assert all(c[1] - c[0] == 7 and c[2] - c[0] == 12 and c[3] - c[0] in (15, 16) for c in chords)


def test_double_tracking_spreads_the_guitars_across_the_stereo_field() -> None:
    def correlation(**options: object) -> float:
        result = _render("rock_indie_energetic", "keys_and_guitar", 8.0, **options)
        assert result.stems is not None
        left, right = result.stems["clean_guitar"].samples
        return float(np.corrcoef(left, right)[0, 1])

    assert correlation(idioms=True, production="gm") > 0.99  # one take, panned: the same on both sides
    assert correlation(production="genre") < 0.95


def test_cinematic_percussion_ensembles_get_a_choir_low_strings_and_timpani() -> None:
    plan = descriptor_plan(load_catalog()["cinematic_percussion_driving"], 12.0, 4, band="taiko_ensemble")
    plain = compose([plan], 12.0, 4, idioms=True)
    produced = compose([plan], 12.0, 4, idioms=True, production="genre")
    assert all(p.instrument.drums for p in plain.parts)
    layers = {p.instrument.name: p for p in produced.parts if not p.instrument.drums}
    assert set(layers) == {"choir_layer", "low_strings_layer", "timpani_layer"}
    assert layers["choir_layer"].instrument.program == 52 and len(layers["choir_layer"].notes) >= 4
    timpani = layers["timpani_layer"]
    assert timpani.instrument.program == 47
    beat = 60 / plan.tempo
    downbeats = [n.start for n in timpani.notes if n.end - n.start > 0.8 * beat]
    assert len(downbeats) >= 4 and np.allclose(np.diff(downbeats[:4]) % (4 * beat), 0, atol=0.02)


def test_over_a_percussion_ensemble_the_cinematic_layers_hit_the_chord_on_the_drums_groove() -> None:
    catalog = load_catalog()
    plan = descriptor_plan(catalog["cinematic_percussion_energetic"], 12.0, 4, band="war_drums")
    parts = compose([plan], 12.0, 4, idioms=True, production="genre").parts
    beat = 60 / plan.tempo
    drum_onsets = np.array(sorted({n.start for p in parts if p.instrument.drums for n in p.notes}))
    for name in ("choir_layer", "low_strings_layer"):
        notes = next(p for p in parts if p.instrument.name == name).notes
        hits = np.array(sorted({round(n.start, 3) for n in notes}))
        assert len(hits) >= 12 / beat * 0.6  # a hit on most beats, not a held chord per bar
        ring_out = max(n.start for n in notes)  # the final chord rings to the end
        assert max(n.end - n.start for n in notes if n.start < ring_out - 0.05) < beat  # short hits
        near_drum = [np.min(np.abs(drum_onsets - t)) < 0.03 for t in hits]
        assert np.mean(near_drum) > 0.8  # on the drums' groove
    # over a band that plays the harmony itself the same layers play long chords in a legato mood
    ambient = descriptor_plan(catalog["cinematic_ambient_dark"], 12.0, 4, band="pads_and_piano")
    held = next(
        p for p in compose([ambient], 12.0, 4, idioms=True, production="genre").parts
        if p.instrument.name == "choir_layer"
    )
    assert np.median([n.end - n.start for n in held.notes]) > 60 / ambient.tempo


def test_over_a_band_the_cinematic_layers_play_the_chords_as_the_mood_articulates_them() -> None:
    catalog = load_catalog()

    def layer_and_beat(name: str, band: str, layer: str = "choir_layer") -> tuple[Part, float]:
        plan = descriptor_plan(catalog[name], 12.0, 4, band=band)
        parts = compose([plan], 12.0, 4, idioms=True, production="genre").parts
        return next(p for p in parts if p.instrument.name == layer), 60 / plan.tempo

    detached, beat = layer_and_beat("cinematic_minimal_tense", "piano_pulse")  # staccato
    assert len(detached.notes) >= 24 and np.median([n.end - n.start for n in detached.notes]) < beat
    held, beat = layer_and_beat("cinematic_ambient_ominous", "pads_and_piano")  # sustained
    assert np.median([n.end - n.start for n in held.notes]) >= 3.5 * beat  # a chord held for a bar or more
    assert held.instrument.role == "pad" and min(n.pitch for n in held.notes) >= 33  # the pad's register
    # an orchestra's low strings articulate, its choir holds (articulated, heard as documentary)
    strings, beat = layer_and_beat("cinematic_orchestral_tense", "full_orchestra", "low_strings_layer")
    assert np.median([n.end - n.start for n in strings.notes]) < 0.5 * beat  # staccato
    choir, beat = layer_and_beat("cinematic_orchestral_tense", "full_orchestra")
    assert np.median([n.end - n.start for n in choir.notes]) >= beat


def test_orchestral_cues_get_no_timpani_layer() -> None:
    plan = descriptor_plan(load_catalog()["cinematic_orchestral_uplifting"], 12.0, 4, band="chamber_strings")
    produced = compose([plan], 12.0, 4, idioms=True, production="genre")
    assert "timpani_layer" not in {p.instrument.name for p in produced.parts}


def test_cinematic_kits_are_the_taiko_ensemble_but_hand_percussion_stays_sampled() -> None:
    taiko = _prepared("cinematic_percussion_driving", "taiko_ensemble", production="genre")
    voices = {p.instrument.name: v for p, v in zip(taiko.score.parts, taiko.voices)}
    assert voices["orchestral_kit"] == "kit:taiko" and voices["hand_percussion"] is None
    trailer = _prepared("cinematic_percussion_driving", "hybrid_trailer", production="genre")
    drums = {v for p, v in zip(trailer.score.parts, trailer.voices) if p.instrument.drums}
    assert drums == {"kit:taiko"}
    orchestra = _prepared("cinematic_orchestral_uplifting", "full_orchestra", production="genre")
    kits = [v for p, v in zip(orchestra.score.parts, orchestra.voices) if p.instrument.drums]
    assert "kit:taiko" not in kits  # orchestral cues keep the font's kits


def test_hip_hop_puts_its_drums_in_front_of_its_keys() -> None:
    def drum_share(**options: object) -> float:
        result = _render("hiphop_boombap_driving", "dusty_piano", 10.0, **options)
        assert result.stems is not None
        drums = result.stems["room_kit"].samples
        keys = [s.samples for name, s in result.stems.items() if name in ("grand_piano", "tenor_sax")]
        others = sum(keys)  # the sample's keys and horn (the 808 bass and the rapper are in front too)
        return float(np.sqrt(np.mean(drums**2)) / np.sqrt(np.mean(others**2)))

    assert drum_share(production="genre") > 1.25 * drum_share(idioms=True, production="gm")


def test_the_dance_master_is_glue_compressed() -> None:
    t = np.arange(SR) / SR
    tone = np.sin(2 * np.pi * 220 * t)
    loud_then_quiet = np.vstack([np.concatenate([0.5 * tone, 0.05 * tone])] * 2)
    bus = MasterBus(MASTERS["electronica"], SR)
    out = bus.process(loud_then_quiet, 0)

    def gap_db(x: np.ndarray) -> float:
        return float(20 * np.log10(np.std(x[0, SR // 2 : SR]) / np.std(x[0, SR + SR // 2 :])))

    assert gap_db(out) < gap_db(loud_then_quiet) - 6.0
    house = load_catalog()["electronica_house_driving"]
    assert master_of(house, production="genre") is MASTERS["electronica"]
    assert master_of(house, production="gm") is None


def test_ambient_renders_get_a_long_reverb() -> None:
    assert _prepared("ambient_drone_dreamy", "synth_drone", production="genre").settings.decay >= 4.0
    assert _prepared("ambient_drone_dreamy", "synth_drone", production="gm").settings.decay < 2.0


def _joined(production: str) -> Prepared:
    catalog = load_catalog()
    plans = [
        descriptor_plan(catalog["ambient_drone_dreamy"], 6.0, 4, band="synth_drone", cut=True),
        descriptor_plan(catalog["rock_classic_aggressive"], 6.0, 4, band="power_trio", cut=True),
    ]
    plans[1] = evolve(plans[1], index=1, start=6.0, end=12.0)
    return Prepared(plans, 12.0, 4, RenderOptions(**{**FAST, "production": production}))  # type: ignore[arg-type]


def test_a_render_joining_genres_keeps_each_sections_room() -> None:
    ambient, rock = _joined("genre").settings.decays
    assert ambient >= 4.0 and rock < 2.0  # as each rendered alone
    gm = _joined("gm").settings.decays
    assert len(set(gm)) == 1  # one room: the GM render is made as before


def test_each_sections_reverb_rings_with_its_own_decay_into_the_next() -> None:
    from mirloop.renderer.engine import MixSettings, SectionReverbs
    from mirloop.renderer.reverb import FdnReverb

    sr, n = 11025, 4 * 11025
    settings = MixSettings(sections=((0.0, 1.0, 0.2), (1.0, 1.0, 0.2)), decays=(3.0, 0.4))
    mix = np.zeros((2, n), dtype=np.float32)
    early, late = np.zeros_like(mix), np.zeros_like(mix)
    early[:, int(0.5 * sr)] = mix[:, int(0.5 * sr)] = 1.0  # inside the first section
    late[:, int(1.5 * sr)] = mix[:, int(1.5 * sr)] = 1.0  # inside the second

    def streamed(block: int) -> np.ndarray:
        rooms = SectionReverbs(settings, sr)
        return np.concatenate([rooms.process(mix[:, i : i + block], i) for i in range(0, n, block)], axis=1)

    out = streamed(1024)
    np.testing.assert_array_equal(out, streamed(4096))
    alone = FdnReverb(sr, decay=3.0).process(early) + FdnReverb(sr, decay=0.4).process(late)
    np.testing.assert_allclose(out, alone, atol=1e-6)  # the first room's tail rings on over the second
    tail = out[:, int(2.5 * sr) :]
    assert np.abs(tail).max() > 10 * np.abs(FdnReverb(sr, decay=0.4).process(mix)[:, int(2.5 * sr) :]).max()


def test_a_genre_production_render_is_byte_identical_on_rerun_and_across_block_sizes() -> None:
    timeline = single_region("electronica_synthwave_anxious", 6.0, seed=3)
    first = render(timeline, seed=3, config={**FAST, "production": "genre"})
    again = render(timeline, seed=3, config={**FAST, "production": "genre"})
    blocks = render(timeline, seed=3, config={**FAST, "production": "genre", "block": 4096})
    assert first.audio.samples.tobytes() == again.audio.samples.tobytes()
    assert np.array_equal(first.audio.samples, blocks.audio.samples)
    assert first.midi == again.midi


def test_layers_fit_the_channels_a_region_leaves_free_in_a_multi_region_render() -> None:
    # odd regions use a bank of 7 channels: a six-instrument orchestra leaves room for one layer
    timeline = multi_region(
        [(0.0, 6.0, "rock_classic_aggressive"), (6.0, 12.0, "cinematic_orchestral_tense")],
        joined=True,
        seed=2,
    )
    result = render(timeline, seed=2, config={**FAST, "production": "genre", "stems": True})
    assert result.stems is not None and result.audio.samples.shape[1] == 12 * SR
    plan = descriptor_plan(load_catalog()["cinematic_orchestral_tense"], 6.0, 2, band="full_orchestra")
    odd = evolve(plan, index=1)
    parts = compose([odd], 6.0, 2, idioms=True, production="genre").parts
    assert [p.instrument.name for p in parts if p.instrument.name.endswith("_layer")] == ["choir_layer"]


def _voices(name: str, band: str) -> dict[str, str | None]:
    prepared = _prepared(name, band, production="genre")
    return {p.instrument.name: v for p, v in zip(prepared.score.parts, prepared.voices)}


def test_pop_gets_a_sung_lead_vocal_layer_when_its_band_has_no_melody() -> None:
    assert _voices("pop_acoustic_warm", "guitar_and_piano") == {
        "steel_guitar": None,
        "grand_piano": None,
        "finger_bass": None,
        "room_kit": None,
        "lead_vocal": "vocal",
    }
    plan = descriptor_plan(load_catalog()["pop_acoustic_warm"], 12.0, 4, band="guitar_and_piano")
    parts = compose([plan], 12.0, 4, idioms=True, production="genre").parts
    vocal = next(p for p in parts if p.role == "melody")
    assert len(vocal.notes) >= 8 and all(48 <= n.pitch <= 88 for n in vocal.notes)


def test_pop_melody_instruments_are_sung_instead_of_layered_over() -> None:
    voices = _voices("pop_synth_happy", "piano_pop")
    assert voices["saw_lead"] == "vocal" and "lead_vocal" not in voices
    assert voices["electronic_kit"] == "kit:808"


def test_the_sung_lead_sits_in_front_of_a_pop_mix() -> None:
    result = _render("pop_acoustic_warm", "guitar_and_piano", 10.0, production="genre")
    assert result.stems is not None
    vocal = result.stems["lead_vocal"].samples
    others = [s.samples for name, s in result.stems.items() if name != "lead_vocal"]
    loudest_other = max(float(np.sqrt(np.mean(s**2))) for s in others)
    assert float(np.sqrt(np.mean(vocal**2))) > loudest_other


def test_documentary_underscore_is_rhythmic_pizzicato_and_string_chords_not_a_held_bed() -> None:
    descriptor = load_catalog()["documentary_underscore_reflective"]
    plan = descriptor_plan(descriptor, 12.0, 4, band="piano_and_strings")
    parts = compose([plan], 12.0, 4, idioms=True, production="genre").parts
    names = ("pizzicato_layer", "string_section")
    layers = {p.instrument.name: p for p in parts if p.instrument.name in names}
    assert [layers[n].instrument.program for n in ("pizzicato_layer", "string_section")] == [45, 48]
    beat = 60 / plan.tempo
    pizzicato = layers["pizzicato_layer"].notes
    assert len(pizzicato) >= 12 and np.median([n.end - n.start for n in pizzicato]) <= beat
    assert "string_bed" not in {p.instrument.name for p in parts}


def test_electronica_synth_chords_are_chopped_into_sixteenths_by_the_trance_gate() -> None:
    plan = descriptor_plan(load_catalog()["electronica_downtempo_dreamy"], 12.0, 4, band="warm_synths")
    gm = compose([plan], 12.0, 4, idioms=True)
    produced = compose([plan], 12.0, 4, idioms=True, production="genre")
    steps, duty = GATES["electronica"]
    sixteenth = 60 / plan.tempo / steps
    for name in ("poly_synth", "warm_pad"):
        held = next(p for p in gm.parts if p.instrument.name == name).notes
        chopped = next(p for p in produced.parts if p.instrument.name == name).notes
        assert max(n.end - n.start for n in held) > 2 * sixteenth
        assert max(n.end - n.start for n in chopped) <= duty * sixteenth + 1e-6
        assert len(chopped) > 3 * len(held)
    bass = [p for p in produced.parts if p.instrument.name == "synth_bass"]
    assert bass[0].notes == next(p for p in gm.parts if p.instrument.name == "synth_bass").notes


def test_synthwave_holds_its_pads_and_chords_where_the_rest_of_electronica_gates_them() -> None:
    plan = descriptor_plan(load_catalog()["electronica_synthwave_hopeful"], 12.0, 4, band="lead_and_pads")
    gm = compose([plan], 12.0, 4, idioms=True)
    produced = compose([plan], 12.0, 4, idioms=True, production="genre")
    sixteenth = 60 / plan.tempo / GATES["electronica"][0]
    held = next(p for p in gm.parts if p.instrument.name == "poly_synth").notes
    kept = next(p for p in produced.parts if p.instrument.name == "poly_synth").notes
    assert max(n.end - n.start for n in held) > 2 * sixteenth
    assert kept == held


def test_ambient_drones_are_played_by_the_drone_pad_not_the_fonts_organ_and_choir() -> None:
    produced = _prepared("ambient_drone_dreamy", "organ_drone", production="genre")
    voices = {p.instrument.name: v for p, v in zip(produced.score.parts, produced.voices, strict=True)}
    assert voices["church_organ"] == "drone_pad" and voices["choir"] == "drone_pad"
    assert voices["sub_bass"] == "sub_bass"
    synths = _prepared("ambient_drone_dreamy", "synth_drone", production="genre")
    voices = {p.instrument.name: v for p, v in zip(synths.score.parts, synths.voices, strict=True)}
    assert voices["sweep_pad"] == "drone_pad" and voices["atmosphere_pad"] == "drone_pad"
    plain = _prepared("ambient_drone_dreamy", "organ_drone", production="gm")
    assert plain.voices == [None] * len(plain.score.parts)
    cinematic = _prepared("cinematic_ambient_somber", "strings_and_choir", production="genre")
    assert "drone_pad" not in cinematic.voices  # the drone pad is ambient's: a cinematic choir stays a choir
    glass = _prepared("cinematic_ambient_somber", "glass_textures", production="genre")
    assert "pad" in glass.voices and "drone_pad" not in glass.voices  # other genres' pads still sweep


def _centroids(note: np.ndarray, start: float, end: float) -> np.ndarray:
    """Spectral centroids of half-second frames of a note's left channel from ``start`` to ``end`` s."""
    frames = np.arange(start, end, 0.5)
    return np.array([_centroid(note[0, int(a * SR) : int((a + 0.5) * SR)]) for a in frames])


def test_the_drone_pads_brightness_follows_its_note_and_holds_steady() -> None:
    def brightness(voice, pitch: int) -> np.ndarray:  # type: ignore[no-untyped-def]
        return _centroids(voice(pitch, 100, 8.0, SR, np.random.default_rng(2)), 1.5, 7.5)

    pad_ratio = brightness(pad, 72).mean() / brightness(pad, 48).mean()
    drone_ratio = brightness(drone_pad, 72).mean() / brightness(drone_pad, 48).mean()
    assert drone_ratio > 2.0 and drone_ratio > 1.3 * pad_ratio  # two octaves up: the filter follows
    assert pad_ratio < 1.9  # other genres' evolving pad keeps its fixed cut-offs
    for pitch in (48, 60):  # the evolving pad's filter sweep moves its brightness; the drone's holds
        swept, steady = brightness(pad, pitch), brightness(drone_pad, pitch)
        assert swept.std() / swept.mean() > 0.15
        assert steady.std() / steady.mean() < 0.6 * (swept.std() / swept.mean())


def test_the_cinematic_choir_sings_over_the_orchestra() -> None:
    plan = descriptor_plan(load_catalog()["cinematic_orchestral_steady"], 8.0, 4, band="full_orchestra")
    parts = {p.instrument.name: p for p in compose([plan], 8.0, 4, idioms=True, production="genre").parts}
    assert parts["choir_layer"].gain > 1.5 * parts["low_strings_layer"].gain
    assert parts["strings"].gain == 1.0


def test_a_moods_revoicing_of_a_percussion_ensemble_moves_every_hit_onto_another_taiko_drum() -> None:
    for moves in (DARK_VOICES, BRIGHT_VOICES):
        for source, target in moves.items():
            if source in TAIKO_MAP and target in TAIKO_MAP:
                assert TAIKO_MAP[source] != TAIKO_MAP[target], (source, target)
    # the dark moods' shakers and hats land on the shime, which keeps time: short and bright
    assert TAIKO_MAP[DARK_VOICES[SHAKER]] == "shime" and TAIKO["shime"][1] < 0.15
    hz = [TAIKO[TAIKO_MAP[note]][0] for note in (FLOOR_TOM, LOW_TOM, MID_TOM, HIGH_TOM)]
    assert hz == sorted(hz) and len(set(hz)) == 4  # the toms stay four pitches, low to high


def test_a_taiko_render_is_byte_identical_on_rerun_and_its_drums_are_low_and_without_hi_hats() -> None:
    first = _render("cinematic_percussion_driving", "hybrid_trailer", 8.0, production="genre")
    again = _render("cinematic_percussion_driving", "hybrid_trailer", 8.0, production="genre")
    font = _render("cinematic_percussion_driving", "hybrid_trailer", 8.0, production="gm")
    assert first.audio.samples.tobytes() == again.audio.samples.tobytes()
    assert first.stems is not None and font.stems is not None

    def shares(mono: np.ndarray) -> tuple[float, float]:
        power = np.abs(np.fft.rfft(mono)) ** 2
        freqs = np.fft.rfftfreq(len(mono), 1 / SR)
        return float(power[freqs < 300].sum() / power.sum()), float(power[freqs > 5000].sum() / power.sum())

    taiko_low, taiko_high = shares(first.stems["electronic_kit"].samples.mean(axis=0))
    machine_low, machine_high = shares(font.stems["electronic_kit"].samples.mean(axis=0))
    assert taiko_low > 0.8 and taiko_low > 1.5 * machine_low  # big drums: the power below 300 Hz
    assert taiko_high < 0.5 * machine_high  # no hi-hats


def _parts(name: str, band: str, seconds: float, production: str = "gm", **plan: object) -> dict[str, Part]:
    region = descriptor_plan(load_catalog()[name], seconds, 4, band=band, cut=True, **plan)  # type: ignore[arg-type]
    score = compose([region], seconds, 4, idioms=True, production=production)
    return {p.instrument.name: p for p in score.parts}


def _gaps(part: Part, beat: float) -> np.ndarray:
    """Silences (s) between a part's notes less than a beat apart."""
    notes = sorted(part.notes, key=lambda n: n.start)
    return np.array([b.start - a.end for a, b in pairwise(notes) if b.start - a.start <= beat])


def test_a_celtic_session_slurs_its_tunes_not_its_bass_and_keeps_its_frame_drum_under_them() -> None:
    beat = 60.0 / 96.0
    plain = _parts("folk_celtic_reflective", "session", 20.0, tempo=96.0)
    produced = _parts("folk_celtic_reflective", "session", 20.0, "genre", tempo=96.0)
    assert np.mean(_gaps(plain["fiddle"], beat) > 0.01) > 0.5  # a little detached on the font
    assert _gaps(produced["fiddle"], beat).max() < 1e-6  # a legato mood: each note held into the next
    assert [n.start for n in produced["fiddle"].notes] == [n.start for n in plain["fiddle"].notes]
    # a staccato mood is slurred too (detached, the session was heard as jazz)
    plain = _parts("folk_celtic_driving", "session", 20.0, tempo=96.0)
    produced = _parts("folk_celtic_driving", "session", 20.0, "genre", tempo=96.0)
    assert np.mean(_gaps(plain["fiddle"], beat) > 0.02) > 0.5
    assert _gaps(produced["fiddle"], beat).max() < 1e-6
    # the bass keeps the mood's articulation (slurred too, the moods sounded alike)
    assert np.mean(_gaps(produced["upright_bass"], beat) > 0.02) > 0.5
    assert produced["upright_bass"].notes == plain["upright_bass"].notes
    assert produced["hand_percussion"].gain < 0.5 < produced["steel_guitar"].gain
    acoustic = _parts("folk_acoustic_idle", "banjo_and_fiddle", 8.0, "genre")["fiddle"]
    assert acoustic.notes == _parts("folk_acoustic_idle", "banjo_and_fiddle", 8.0)["fiddle"].notes


def test_synthwave_drives_its_bass_in_sixteenths_root_and_octave_in_turn() -> None:
    plain = _parts("electronica_synthwave_dark", "arpeggios", 12.0, tempo=96.0)["synth_bass"]
    bass = _parts("electronica_synthwave_dark", "arpeggios", 12.0, "genre", tempo=96.0)["synth_bass"]
    sixteenth = 60.0 / 96.0 / 4
    starts = np.array([n.start for n in bass.notes])
    pitches = np.array([n.pitch for n in bass.notes])
    assert len(bass.notes) > 4 * len(plain.notes)
    adjacent = np.isclose(np.diff(starts), sixteenth, atol=1e-3)
    assert np.mean(adjacent) > 0.9  # a note on every sixteenth
    assert np.mean(np.abs(np.diff(pitches))[adjacent] == 12) > 0.8  # up an octave and back
    assert set(pitches) >= {n.pitch for n in plain.notes}
    # the notes keep the mood's articulation: legato (dark) nearly fills each sixteenth, staccato a third
    lengths = np.array([n.end - n.start for n in bass.notes])
    assert np.median(lengths) == pytest.approx(0.92 * sixteenth, rel=0.02)
    energetic = _parts("electronica_synthwave_energetic", "arpeggios", 12.0, "genre", tempo=96.0)
    lengths = np.array([n.end - n.start for n in energetic["synth_bass"].notes])
    assert np.median(lengths) == pytest.approx(0.35 * sixteenth, rel=0.02)
    house = _parts("electronica_house_driving", "synth_stabs", 8.0, "genre")["synth_bass"]
    assert house.notes == _parts("electronica_house_driving", "synth_stabs", 8.0)["synth_bass"].notes


def test_a_jazz_bass_walks_a_note_a_beat_and_steps_chromatically_onto_each_new_root() -> None:
    plain = _parts("jazz_lounge_idle", "rhodes_trio", 24.0, tempo=80.0)["upright_bass"]
    bass = _parts("jazz_lounge_idle", "rhodes_trio", 24.0, "genre", tempo=80.0)["upright_bass"]
    beat = 60.0 / 80.0
    starts = np.array([n.start for n in bass.notes])
    assert len(bass.notes) > 2.5 * len(plain.notes)
    assert np.mean(np.isclose(np.diff(starts), beat, atol=1e-3)) > 0.9  # a note on every beat
    roots = {n.start: n.pitch for n in plain.notes}
    assert all(n.pitch == roots[n.start] for n in bass.notes if n.start in roots)  # the roots stay
    previous = {n.start: bass.notes[i - 1].pitch for i, n in enumerate(bass.notes) if i}
    new_roots = [(t, b) for (_, a), (t, b) in pairwise(sorted(roots.items())) if a != b and t in previous]
    assert new_roots and all(abs(previous[t] - root) == 1 for t, root in new_roots)  # a semitone onto it


def test_traps_kit_plays_no_kick_under_its_808_bass_and_the_rest_as_written() -> None:
    plain = _parts("hiphop_trap_dark", "bells_and_808", 12.0)["analog_808_kit"]
    produced = _parts("hiphop_trap_dark", "bells_and_808", 12.0, "genre")["analog_808_kit"]
    assert sum(n.pitch in KICK_NOTES for n in plain.notes) >= 8
    assert produced.notes == tuple(n for n in plain.notes if n.pitch not in KICK_NOTES)
    assert produced.notes  # hats, snares and claps
    # the other hip-hop subgenres keep their kick
    boombap = _parts("hiphop_boombap_driving", "dusty_piano", 8.0, "genre")["room_kit"]
    assert boombap.notes == _parts("hiphop_boombap_driving", "dusty_piano", 8.0)["room_kit"].notes
    assert any(n.pitch in KICK_NOTES for n in boombap.notes)


def test_traps_low_end_is_its_808_not_the_kit() -> None:
    def low_share(production: str) -> float:
        result = _render("hiphop_trap_dark", "bells_and_808", 10.0, production=production)
        assert result.stems is not None
        kit = result.stems["analog_808_kit"].samples.mean(axis=1)
        spectrum = np.abs(np.fft.rfft(kit)) ** 2
        freqs = np.fft.rfftfreq(len(kit), 1 / SR)
        return float(spectrum[freqs < 120].sum() / spectrum[freqs > 2000].sum())

    assert low_share("genre") < 0.01 * low_share("gm")
