"""``Key`` folds enharmonic tonics to one spelling and can be built from a pitch class."""

from __future__ import annotations

import pytest

from mirloop.types import Key
from mirloop.types.estimates import ENHARMONIC_TONICS, PITCH_CLASSES


@pytest.mark.parametrize(("spelling", "stored"), sorted(ENHARMONIC_TONICS.items()))
def test_an_enharmonic_tonic_is_stored_in_its_usual_spelling(spelling: str, stored: str) -> None:
    assert Key(spelling, "minor") == Key(stored, "minor")
    assert Key(spelling, "minor").tonic == stored


def test_every_alternative_spelling_names_the_same_pitch_class_as_its_folding() -> None:
    letters = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
    for spelling, stored in ENHARMONIC_TONICS.items():
        alter = {"#": 1, "b": -1}[spelling[1]]
        assert (letters[spelling[0]] + alter) % 12 == PITCH_CLASSES.index(stored), spelling


def test_from_pitch_class_counts_semitones_from_c() -> None:
    assert Key.from_pitch_class(0, "major") == Key("C", "major")
    assert Key.from_pitch_class(8, "minor") == Key("G#", "minor") == Key("Ab", "minor")
    assert [Key.from_pitch_class(pc, "major").pitch_class for pc in range(12)] == list(range(12))
    assert Key.from_pitch_class(13, "major") == Key("C#", "major")


def test_an_unknown_tonic_lists_every_accepted_spelling() -> None:
    with pytest.raises(ValueError, match=r"unknown tonic 'H'; use one of C, C#, .* G#, .*from_pitch_class"):
        Key("H", "major")
