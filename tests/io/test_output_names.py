"""Output folder names after input files: unique, independent of the input order, always safe."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from mirloop.errors import OutputError
from mirloop.io.output_names import MAX_NAME_BYTES, output_folder, output_names, safe_name


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


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("...wav", "__"),  # the stem is '..'
        ("..wav", "_"),  # the stem is '.'
        (".hidden.wav", "_hidden"),
        ("a\x00b.wav", "a_b"),
        ("tab\there.wav", "tab_here"),
        ("  .wav", "track"),
        ("Café.wav", "Café"),
        ("ドラム.wav", "ドラム"),
    ],
)
def test_every_name_is_one_plain_child_of_the_output_folder(
    file_name: str, expected: str, tmp_path: Path
) -> None:
    (name,) = output_names([f"in/{file_name}"])

    assert name == expected
    folder = output_folder(tmp_path, name)
    assert folder.parent == tmp_path and folder.name == name
    folder.mkdir()
    assert folder.resolve().parent == tmp_path.resolve()


def test_separators_in_a_stem_cannot_leave_the_output_folder(tmp_path: Path) -> None:
    for text in ("../../etc", "a/../../b", "..\\..\\x", "/abs", "..", ".", ""):
        name = safe_name(text)
        assert "/" not in name and "\\" not in name and name not in ("", ".", "..")
        assert not name.startswith(".")
        assert output_folder(tmp_path, name).parent == tmp_path


def test_names_from_undecodable_bytes_become_valid_text() -> None:
    stem = os.fsdecode(b"caf\xe9")  # a Latin-1 file name on a UTF-8 system

    name = safe_name(stem)

    assert name == "caf_" and name.encode("utf-8")


def test_a_long_name_is_cut_to_fit_and_stays_distinct() -> None:
    long_a, long_b = "é" * 300 + "a", "é" * 300 + "b"

    cut_a, cut_b = safe_name(long_a), safe_name(long_b)

    assert len(cut_a.encode("utf-8")) <= MAX_NAME_BYTES and len(cut_b.encode("utf-8")) <= MAX_NAME_BYTES
    assert cut_a != cut_b and cut_a.startswith("éé")
    longest_file = f".{cut_a}.segments.parquet.abcdefgh.tmp.parquet"
    assert len(longest_file.encode("utf-8")) <= 255


def test_a_long_name_makes_a_real_folder_and_files(tmp_path: Path) -> None:
    (name,) = output_names(["x" * 400 + ".wav"])

    folder = output_folder(tmp_path, name)
    folder.mkdir()
    (folder / f"{name}.segments.parquet").write_text("ok")


@pytest.mark.parametrize("unsafe", ["..", ".", "a/b", "../x", "", "a\x00", ".hidden", "x" * 300])
def test_an_unsafe_given_name_is_refused_with_the_safe_one_suggested(unsafe: str, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot name an output folder"):
        output_folder(tmp_path, unsafe)
