"""The built-in catalog: its size, balance, names, ids and schema."""

from __future__ import annotations

import re
import tomllib
from collections import Counter

import jsonschema
import pytest

from mirloop.catalog import Catalog, build_catalog, descriptor_id, load_catalog
from mirloop.catalog.mood import Mood
from mirloop.catalog.resolve import mood_rhythms
from mirloop.catalog.source import builtin_files, catalog_schema, read_sources


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return build_catalog(plugins=False)


def test_catalog_has_at_least_7_genres_20_subgenres_200_descriptors(catalog: Catalog) -> None:
    tree = catalog.tree()
    assert len(tree) >= 7
    assert sum(len(subgenres) for subgenres in tree.values()) >= 20
    assert len(catalog) >= 200


def test_sentiments_are_balanced_near_a_third_each(catalog: Catalog) -> None:
    shares = {s: n / len(catalog) for s, n in Counter(d.sentiment for d in catalog).items()}
    assert set(shares) == {"negative", "neutral", "positive"}
    assert all(0.28 <= share <= 0.39 for share in shares.values()), shares


def test_genres_span_folk_to_hiphop_like_the_paper(catalog: Catalog) -> None:
    assert {"cinematic", "documentary", "hiphop", "rock", "electronica", "folk"} <= set(catalog.genres())
    for name in ("cinematic_percussion_primal_pulsing", "documentary_idiophonic_idle"):
        assert name in catalog


def test_moods_are_shared_across_subgenres(catalog: Catalog) -> None:
    subgenres_per_mood = Counter(d.mood for d in catalog)
    assert all(count >= 2 for count in subgenres_per_mood.values())


def test_names_are_genre_subgenre_mood(catalog: Catalog) -> None:
    for d in catalog:
        assert d.name == f"{d.genre}_{d.subgenre}_{d.mood}"
        assert re.fullmatch(r"[a-z0-9]+", d.genre) and re.fullmatch(r"[a-z0-9]+", d.subgenre)


def test_ids_are_unique_and_derived_from_the_name(catalog: Catalog) -> None:
    ids = [d.id for d in catalog]
    assert len(set(ids)) == len(ids)
    assert all(d.id == descriptor_id(d.name) for d in catalog)


def test_ids_are_stable_across_releases() -> None:
    # Pinned values: changing the id rule breaks every model and timeline that stored an id.
    assert descriptor_id("cinematic_percussion_primal_pulsing") == 1528546262
    assert descriptor_id("documentary_idiophonic_idle") == 439022652


def test_version_is_a_hash_of_the_data_and_reproducible(catalog: Catalog) -> None:
    again = build_catalog(plugins=False)
    assert catalog.version == again.version
    assert re.fullmatch(r"[0-9a-f]{12}", catalog.version)
    assert Catalog(list(catalog)[1:]).version != catalog.version


def test_every_catalog_file_is_valid_against_the_published_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(catalog_schema())
    validator = jsonschema.Draft202012Validator(catalog_schema())
    for path in builtin_files():
        errors = list(validator.iter_errors(tomllib.loads(path.read_text("utf-8"))))
        assert not errors, f"{path.name}: {errors[0].message}"


def test_every_mood_is_used_and_every_listed_mood_is_defined() -> None:
    source = read_sources()
    listed = {m for g in source.genres.values() for s in g["subgenres"].values() for m in s["moods"]}
    assert listed == set(source.moods)


def test_load_catalog_is_cached_and_reloadable() -> None:
    first = load_catalog()
    assert load_catalog() is first
    assert load_catalog(reload=True) is not first


def test_top_level_name_loads_the_catalog() -> None:
    import mirloop

    assert mirloop.load_catalog() is load_catalog()


def test_moods_at_one_momentum_take_the_subgenres_drum_patterns_in_turn() -> None:
    patterns = ["kick:x...", "snare:x...", "hat:x..."]
    moods = {name: Mood(name, "neutral", 1, momentum)
             for name, momentum in [("a", 1), ("b", 1), ("c", 2), ("d", 1), ("e", 1), ("f", 2)]}
    sub = {"rhythms": patterns, "moods": list(moods)}
    assert mood_rhythms(sub, moods) == {
        "a": (patterns[0],), "b": (patterns[1],), "d": (patterns[2],), "e": (patterns[0],),
        "c": (patterns[0],), "f": (patterns[1],),
    }
    assert mood_rhythms({"moods": ["a"]}, moods) == {"a": ()}


def test_sibling_moods_at_one_momentum_have_grooves_of_their_own(catalog: Catalog) -> None:
    """Where a subgenre has as many drum patterns as moods at a momentum, no two of them share one."""
    for subgenre in ("percussion", "downtempo", "lofi"):
        by_momentum: dict[int, list[tuple[str, ...]]] = {}
        for d in catalog.filter(subgenre=subgenre):
            assert len(d.style.rhythms) == 1
            by_momentum.setdefault(d.momentum, []).append(d.style.rhythms)
        n_patterns = len({r for group in by_momentum.values() for r in group})
        for group in by_momentum.values():
            assert len(set(group)) == min(len(group), n_patterns), subgenre
