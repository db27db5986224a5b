"""One reader of pitch names and key text, used by the renderer, the timelines and the annotations."""

from __future__ import annotations

import pytest

from mirloop.errors import DatasetError, SpellingError
from mirloop.evaluation.annotations import parse_key as annotation_key
from mirloop.renderer.api import parse_key as render_key
from mirloop.renderer.theory import pitch_class as renderer_pitch_class
from mirloop.timeline.tonic import pitch_class as timeline_pitch_class
from mirloop.types import Key
from mirloop.types.spelling import pitch_class, read_key


@pytest.mark.parametrize(
    ("name", "value"),
    [("C", 0), ("c", 0), ("F#", 6), ("F♯", 6), ("fis", 6), ("Bb", 10), ("bes", 10), ("b", 11), ("es", 3),
     ("ees", 3), ("as", 8), ("Cb", 11), ("E#", 5), ("cisis", 2), ("ases", 7), ("eses", 2), ("Ebb", 2),
     ("Cs", 1), ("B natural", None)],
)
def test_english_and_lilypond_names_give_one_pitch_class(name: str, value: int | None) -> None:
    if value is None:
        with pytest.raises(SpellingError, match="cannot read the pitch name"):
            pitch_class(name)
    else:
        assert pitch_class(name) == value


def test_the_renderer_and_the_timelines_read_pitch_names_with_the_one_reader() -> None:
    assert renderer_pitch_class is pitch_class
    for name in ("c", "cis", "des", "ees", "es", "fis", "aes", "as", "bes", "b", "cisis", "ases"):
        assert timeline_pitch_class(name) == pitch_class(name)
    with pytest.raises(SpellingError, match="not a LilyPond tonic"):  # timelines spell tonics in LilyPond
        timeline_pitch_class("F#")


@pytest.mark.parametrize(
    ("text", "tonic", "mode"),
    [("fis minor", "F#", "minor"), ("F#:minor", "F#", "minor"), ("Bb maj", "Bb", "major"), ("c", "C", None),
     ("G#:min", "Ab", "minor"), ("Db:major", "C#", "major")],
)
def test_key_text_is_read_once_for_renders_and_annotations(text: str, tonic: str, mode: str | None) -> None:
    assert read_key(text) == (tonic, mode)
    assert render_key(text) == ((None, tonic) if mode is None else (Key(tonic, mode), None))
    assert annotation_key(text) == Key(tonic, mode or "major")


def test_annotations_accept_lilypond_and_short_mode_words_as_renders_do() -> None:
    assert annotation_key("fis:min") == Key("F#", "minor")


@pytest.mark.parametrize("text", ["", "H minor", "C dorian", "C minor extra"])
def test_unreadable_key_text_is_one_clear_error(text: str) -> None:
    with pytest.raises(SpellingError, match="cannot read the"):
        read_key(text)
    with pytest.raises(DatasetError, match=f"ref.jams: cannot read the key {text!r}"):
        annotation_key(text, "ref.jams")
