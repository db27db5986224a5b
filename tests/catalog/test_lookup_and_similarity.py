"""Looking descriptors up, filtering, the tree, nearest combinations and distances."""

from __future__ import annotations

import itertools

import pytest

from mirloop.catalog import Catalog, build_catalog, distance
from mirloop.errors import DescriptorError


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return build_catalog(plugins=False)


def test_lookup_by_name_and_by_id_agree(catalog: Catalog) -> None:
    d = catalog["rock_indie_driving"]
    assert catalog.get(d.id) is d
    assert catalog.get(str(d.id)) is d
    assert "rock_indie_driving" in catalog


def test_unknown_name_suggests_the_nearest(catalog: Catalog) -> None:
    with pytest.raises(DescriptorError,
                       match=r"unknown descriptor 'rock_indie_drivng'.*'rock_indie_driving'"):
        catalog.get("rock_indie_drivng")


def test_unknown_combination_suggests_a_structural_neighbour(catalog: Catalog) -> None:
    assert catalog.find("cinematic", "orchestral", "happy") is None
    with pytest.raises(DescriptorError) as caught:
        catalog.get("cinematic_orchestral_happy")
    assert repr(catalog.nearest("cinematic", "orchestral", "happy").name) in str(caught.value)


def test_unknown_id_raises(catalog: Catalog) -> None:
    with pytest.raises(DescriptorError, match="no descriptor has id 7"):
        catalog.get(7)


def test_filters_combine(catalog: Catalog) -> None:
    found = catalog.filter(genre="rock", sentiment="negative")
    assert found and all(d.genre == "rock" and d.sentiment == "negative" for d in found)
    assert catalog.filter(genre="rock", subgenre="indie", mood="driving") == [catalog["rock_indie_driving"]]
    assert catalog.filter(momentum=4, valence=0) == [d for d in catalog if d.momentum == 4 and d.valence == 0]


def test_tree_matches_the_valid_combinations(catalog: Catalog) -> None:
    from_tree = {(g, s, m) for g, subs in catalog.tree().items() for s, moods in subs.items() for m in moods}
    assert from_tree == catalog.combinations()
    assert len(from_tree) == len(catalog)


def test_nearest_returns_the_exact_descriptor_when_it_exists(catalog: Catalog) -> None:
    assert catalog.nearest("rock", "indie", "driving").name == "rock_indie_driving"


def test_nearest_keeps_genre_and_subgenre_and_picks_a_similar_mood(catalog: Catalog) -> None:
    near = catalog.nearest("rock", "indie", "ominous")  # ominous: negative, valence 0, momentum 1
    assert (near.genre, near.subgenre) == ("rock", "indie")
    assert near.sentiment == "negative"


def test_nearest_snaps_misspelt_parts(catalog: Catalog) -> None:
    assert catalog.nearest("rokc", "indy", "drivng").name == "rock_indie_driving"


def test_distance_is_zero_for_itself_symmetric_and_bounded(catalog: Catalog) -> None:
    sample = list(catalog)[::9]
    for a, b in itertools.product(sample, repeat=2):
        d = distance(a, b)
        assert 0.0 <= d <= 1.0
        assert d == distance(b, a)
        assert (d == 0.0) == (a == b)


def test_a_sibling_mood_is_nearer_than_any_other_genre(catalog: Catalog) -> None:
    for a in list(catalog)[::7]:
        siblings = [b for b in catalog.filter(genre=a.genre, subgenre=a.subgenre) if b != a]
        others = [b for b in catalog if b.genre != a.genre]
        assert max(distance(a, s) for s in siblings) < min(distance(a, o) for o in others)


def test_same_mood_in_another_subgenre_of_the_genre_is_between(catalog: Catalog) -> None:
    a, b = catalog["rock_indie_driving"], catalog["rock_classic_driving"]
    c = catalog["electronica_house_driving"]
    assert 0 < catalog.distance(a, b) < catalog.distance(a, c)
    assert catalog.distance("rock_indie_driving", "rock_indie_driving") == 0
