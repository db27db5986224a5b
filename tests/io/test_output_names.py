"""Output folder names after input files: unique and independent of the input order."""

from __future__ import annotations

import itertools

from mirloop.io.output_names import output_names


def names_by_file(tracks: list[str], **kwargs: object) -> dict[str, str]:
    return dict(zip(tracks, output_names(tracks, **kwargs)))  # type: ignore[arg-type]


def test_a_stem_shared_with_another_files_suffixed_name_does_not_steal_it() -> None:
    names = names_by_file(["in/a-2.ogg", "in/a.ogg", "in/a.wav"])

    assert names == {"in/a-2.ogg": "a-2", "in/a.ogg": "a.ogg", "in/a.wav": "a.wav"}


def test_names_do_not_depend_on_the_order_of_the_inputs() -> None:
    tracks = ["in/a-2.ogg", "in/a.ogg", "in/a.wav", "x/song.wav", "y/song.wav", "song.flac", "solo.wav"]
    expected = names_by_file(tracks)

    for order in itertools.permutations(tracks):
        assert names_by_file(list(order)) == expected
    assert len(set(expected.values())) == len(tracks)


def test_same_file_names_in_different_folders_get_a_digest_of_their_path() -> None:
    names = names_by_file(["x/song.wav", "y/song.wav", "song.flac", "x.wav"])

    assert names["song.flac"] == "song.flac" and names["x.wav"] == "x"
    assert names["x/song.wav"].startswith("song.wav-") and names["y/song.wav"].startswith("song.wav-")
    assert names["x/song.wav"] != names["y/song.wav"]
    assert names_by_file(["y/song.wav", "x/song.wav", "song.flac"])["x/song.wav"] == names["x/song.wav"]


def test_a_name_that_becomes_another_tracks_fallback_is_moved_on_too() -> None:
    # 'a.ogg.flac' has the stem 'a.ogg', which is also what 'a.ogg' falls back to
    names = names_by_file(["a.ogg", "a.wav", "a.ogg.flac"])

    assert len(set(names.values())) == 3
    assert names["a.wav"] == "a.wav"


def test_names_differing_only_in_case_stay_apart() -> None:
    names = output_names(["Song.wav", "song.wav"])

    assert len({name.casefold() for name in names}) == 2


def test_the_same_file_given_twice_gets_two_folders() -> None:
    first, second = output_names(["in/a.wav", "in/a.wav"])

    assert first != second and second == f"{first}-2"


def test_reserved_names_are_left_to_the_caller() -> None:
    names = output_names(["report.json.wav", "other.wav"], reserved=["report.json"])

    assert names == ["report.json.wav", "other"]
