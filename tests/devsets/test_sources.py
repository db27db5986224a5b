"""sources.toml: what the real-music development set takes, checked before anything is fetched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from devsets.real_music.sources import (
    COARSE_LABELS,
    MUSIC21_COLLECTIONS,
    SourcesError,
    load_sources,
    parse_sources,
)

SHIPPED = Path(__file__).resolve().parents[2] / "devsets" / "real_music" / "sources.toml"


def package(**rules: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"version": "1.0-1", "root": "usr/share/games/x/music"}
    entry.update(rules)
    return {"packages": {"x-data": entry}}


def test_the_shipped_sources_parse_and_every_labelled_track_quotes_evidence() -> None:
    sources = load_sources(SHIPPED)
    rules = [r for p in sources.packages for r in p.tracks]
    assert len(sources.packages) >= 20
    assert rules, "the set labels some recordings"
    for rule in rules:
        assert rule.label in COARSE_LABELS
        assert len(rule.evidence) > 20, rule
    for pkg in sources.packages:
        assert all(not r.label and not r.basis for r in pkg.unlabelled)
    assert {r.basis for r in rules} == {"named", "context"}
    assert {s.collection for s in sources.scores} <= set(MUSIC21_COLLECTIONS)


def test_the_labels_are_the_contracts_eleven_coarse_labels() -> None:
    assert COARSE_LABELS == (
        "orchestral", "classical", "electronic", "rock", "metal", "ambient",
        "jazz", "folk", "hiphop", "pop", "country",
    )  # fmt: skip


def test_an_unknown_label_is_refused_with_the_allowed_ones() -> None:
    data = package(tracks=[{"glob": "a.ogg", "label": "techno", "evidence": "title 'Techno'"}])
    with pytest.raises(SourcesError, match=r"unknown coarse label 'techno'.*electronic"):
        parse_sources(data)


def test_a_label_without_evidence_is_refused() -> None:
    with pytest.raises(SourcesError, match="no 'evidence'"):
        parse_sources(package(tracks=[{"glob": "a.ogg", "label": "rock"}]))


def test_unlabelled_entries_may_not_carry_a_label() -> None:
    data = package(unlabelled=[{"glob": "*.ogg", "label": "rock", "evidence": "x"}])
    with pytest.raises(SourcesError, match="move it to 'tracks'"):
        parse_sources(data)


def test_a_misspelt_key_is_refused_not_ignored() -> None:
    data = package(tracks=[{"glob": "a.ogg", "label": "rock", "evidence": "GENRE 'Rock'", "lable": "x"}])
    with pytest.raises(SourcesError, match=r"unknown key.*lable"):
        parse_sources(data)


def test_a_package_without_a_pinned_version_is_refused() -> None:
    data = {"packages": {"x-data": {"root": "usr", "unlabelled": [{"glob": "*.ogg"}]}}}
    with pytest.raises(SourcesError, match="'version' is missing"):
        parse_sources(data)


def test_only_the_allowed_music21_collections_may_be_rendered() -> None:
    data = {"scores": {"bach": {"label": "classical", "evidence": "Bach", "works": ["bach/bwv66.6"]}}}
    with pytest.raises(SourcesError, match="collection 'bach' is not one the set may use"):
        parse_sources(data)


def test_an_unknown_kind_is_refused() -> None:
    data = package(tracks=[{"glob": "a.ogg", "label": "rock", "evidence": "e", "kind": "live"}])
    with pytest.raises(SourcesError, match="unknown kind 'live'"):
        parse_sources(data)


def test_a_missing_sources_file_says_how_to_point_at_one(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="--sources"):
        load_sources(tmp_path / "nope.toml")


def test_a_labelled_track_is_named_unless_it_says_context() -> None:
    rules = [
        {"glob": "a.ogg", "label": "rock", "evidence": "GENRE 'Rock'"},
        {"glob": "b.ogg", "label": "ambient", "evidence": "clip list: style 'ambient'", "basis": "context"},
    ]
    parsed = parse_sources(package(tracks=rules)).packages[0]
    assert [r.basis for r in parsed.tracks] == ["named", "context"]


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            {"tracks": [{"glob": "a", "label": "rock", "evidence": "e", "basis": "heard"}]},
            "unknown label basis",
        ),
        ({"unlabelled": [{"glob": "a", "basis": "context"}]}, "label basis 'context' without a label"),
    ],
)
def test_a_label_basis_that_does_not_fit_is_refused(rules: dict[str, Any], message: str) -> None:
    with pytest.raises(SourcesError, match=message):
        parse_sources(package(**rules))
