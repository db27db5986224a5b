"""A listener's changes to a segment, checked before anything is queued."""

from __future__ import annotations

import pytest

from mirloop.errors import MirloopError
from mirloop.serve.web.edits import EditError, check_edit, check_edits


def test_an_edit_comes_back_in_canonical_form() -> None:
    sent = {"descriptor": " rock_indie_driving ", "tempo": "128", "key": "eb:MINOR"}
    edit = check_edit(sent, where="segment 1")

    assert edit == {"descriptor": "rock_indie_driving", "tempo": 128.0, "key": "Eb minor"}


def test_empty_tempo_and_key_leave_them_to_the_renderer() -> None:
    assert check_edit({"descriptor": "rock_indie_driving", "tempo": "", "key": ""}, where="x") == {
        "descriptor": "rock_indie_driving", "tempo": None, "key": None,
    }


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ({"descriptor": "rock_indie_drivin"}, r"segment 2: unknown descriptor 'rock_indie_drivin'; did you"),
        ({"descriptor": ""}, r"segment 2: unknown descriptor ''"),
        ({"descriptor": "rock_indie_driving", "tempo": "fast"}, r"segment 2: the tempo 'fast' is not a num"),
        ({"descriptor": "rock_indie_driving", "tempo": 900}, r"outside 20–300 BPM"),
        ({"descriptor": "rock_indie_driving", "tempo": "nan"}, r"outside 20–300 BPM"),
        ({"descriptor": "rock_indie_driving", "key": "H major"}, r"the key 'H major' is not '<tonic> <m"),
        ({"descriptor": "rock_indie_driving", "key": "C dorian"}, r"a mode major or minor"),
    ],
)
def test_a_bad_edit_names_the_segment_and_the_fix(edit: dict[str, object], message: str) -> None:
    with pytest.raises(EditError, match=message) as raised:
        check_edit(edit, where="segment 2")
    assert isinstance(raised.value, MirloopError)


def test_one_edit_per_segment() -> None:
    with pytest.raises(EditError, match="the track has 3 segment"):
        check_edits([{"descriptor": "rock_indie_driving"}], segments=3)
