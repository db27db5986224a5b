"""LilyPond tonics as Amper writes them, and the keys the builders accept."""

from __future__ import annotations

import pytest

from mirloop.errors import TimelineError
from mirloop.timeline import KeySignature, key_signature
from mirloop.timeline.tonic import from_pitch_name, is_tonic, to_pitch_name
from mirloop.types import Key

SPELLINGS = {
    "c": "C", "cis": "C#", "des": "C#", "d": "D", "dis": "Eb", "ees": "Eb", "es": "Eb", "e": "E", "f": "F",
    "fis": "F#", "ges": "F#", "g": "G", "gis": "Ab", "aes": "Ab", "as": "Ab", "a": "A", "ais": "Bb",
    "bes": "Bb", "b": "B", "ces": "B", "eis": "F", "C": "C", "Bes": "Bb",
}


@pytest.mark.parametrize(("lilypond", "pitch"), SPELLINGS.items())
def test_lilypond_names_map_to_pitch_classes(lilypond: str, pitch: str) -> None:
    assert is_tonic(lilypond)
    assert to_pitch_name(lilypond) == pitch


@pytest.mark.parametrize("bad", ["h", "cs", "bb", "c#", "", "ceses x"])
def test_other_spellings_are_not_tonics(bad: str) -> None:
    assert not is_tonic(bad)
    with pytest.raises(ValueError, match="is not a LilyPond tonic"):
        to_pitch_name(bad)


def test_every_pitch_class_round_trips() -> None:
    for pitch in ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"):
        assert to_pitch_name(from_pitch_name(pitch)) == pitch


def test_builders_accept_keys_in_several_forms() -> None:
    expected = KeySignature(tonic="bes", quality="minor")
    assert key_signature(Key("Bb", "minor")) == expected
    assert key_signature("bes minor") == expected
    assert key_signature("Bb:minor") == expected
    assert key_signature("e") == KeySignature(tonic="e", quality=None)
    with pytest.raises(TimelineError, match="neither a LilyPond tonic nor a pitch name"):
        key_signature("h minor")
