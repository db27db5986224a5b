"""Every descriptor resolves to a style the renderer can play, and moods change more than tempo."""

from __future__ import annotations

import pytest

from mirloop.catalog import Catalog, build_catalog, parse_rhythm
from mirloop.catalog.source import read_sources

ROLES = {"bass", "harmony", "pad", "melody", "ostinato", "percussion"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return build_catalog(plugins=False)


def test_every_style_has_a_sane_tempo_range(catalog: Catalog) -> None:
    for d in catalog:
        lo, hi = d.style.tempo_range
        assert 40 <= lo < hi <= 220, d.name
        assert hi - lo >= 5, d.name


def test_every_style_has_bands_of_known_roles_and_valid_programs(catalog: Catalog) -> None:
    for d in catalog:
        assert d.style.bands, d.name
        for band in d.style.bands:
            assert band.instruments, f"{d.name}/{band.name}"
            for instrument in band.instruments:
                assert instrument.role in ROLES
                assert 0 <= instrument.program <= 127


def test_pitched_bands_have_a_bass_or_harmony_foundation(catalog: Catalog) -> None:
    for d in catalog:
        for band in d.style.bands:
            pitched = [i for i in band.instruments if not i.drums]
            if pitched:
                assert {i.role for i in pitched} & {"bass", "harmony", "pad"}, f"{d.name}/{band.name}"


def test_registers_are_sane_midi_ranges(catalog: Catalog) -> None:
    for d in catalog:
        low, high = d.style.register
        assert low >= 21 and high <= 108 and high - low >= 12, d.name


def test_values_in_unit_range_and_progressions_present(catalog: Catalog) -> None:
    for d in catalog:
        s = d.style
        assert 0 <= s.dissonance <= 1 and 0 < s.density <= 1 and 0 < s.dynamics <= 1
        assert s.progressions and all(s.progressions)
        assert s.harmonic_rhythm > 0
        assert 0 <= s.intro <= 0.5 and 0 <= s.ending <= 0.5 and 0 <= s.climax <= 1


def test_every_rhythm_parses_in_its_meter(catalog: Catalog) -> None:
    for d in catalog:
        for text in d.style.rhythms:
            pattern = parse_rhythm(text, d.style.meter)
            assert pattern.hits()


def test_a_pattern_gives_its_onsets_in_beats_bar_by_bar() -> None:
    kick, snare = "x.....x.........x...............", "....x.......x.............x...x."
    two_bars = parse_rhythm(f"kick:{kick} snare:{snare}", (4, 4))
    assert two_bars.bars((4, 4), 4) == ((0.0, 1.0, 1.5, 3.0), (0.0, 2.5, 3.5))
    assert parse_rhythm("kick:x.....x.....", (6, 8)).bars((6, 8), 2) == ((0.0, 1.0),)


def test_percussion_only_subgenre_has_no_pitched_instrument(catalog: Catalog) -> None:
    percussion = catalog.filter(genre="cinematic", subgenre="percussion")
    assert percussion
    for d in percussion:
        for band in d.style.bands:
            assert all(i.drums for i in band.instruments), f"{d.name}/{band.name}"


def test_other_subgenres_have_pitched_instruments(catalog: Catalog) -> None:
    for d in catalog:
        if (d.genre, d.subgenre) != ("cinematic", "percussion"):
            assert any(not i.drums for b in d.style.bands for i in b.instruments), d.name


def test_moods_change_mode_density_and_register_not_only_tempo(catalog: Catalog) -> None:
    sad = catalog["folk_acoustic_sad"].style
    happy = catalog["folk_acoustic_happy"].style
    assert sad.scales[0] == "minor" and happy.scales[0] == "major"
    assert sad.progressions != happy.progressions
    assert sad.density < happy.density
    assert sad.dynamics < happy.dynamics
    assert sad.tempo_range[1] <= happy.tempo_range[0]
    assert sad.articulation != happy.articulation


def test_mood_tempo_is_a_slice_of_the_subgenre_range_and_bands_are_shared(catalog: Catalog) -> None:
    source = read_sources()
    for genre, body in source.genres.items():
        for subgenre, spec in body["subgenres"].items():
            lo, hi = spec["tempo"]
            members = catalog.filter(genre=genre, subgenre=subgenre)
            for d in members:
                assert lo <= d.style.tempo_range[0] < d.style.tempo_range[1] <= hi, d.name
            assert len({d.style.bands for d in members}) == 1
