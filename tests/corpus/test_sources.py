"""A corpus is read from a folder, a list file or FMA's metadata, with ids and labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirloop.corpus import read_corpus
from mirloop.errors import CorpusError
from tests.corpus.fma_fixture import TRACKS, make_fma
from tests.pipelines.audio_files import pulse_track, write


def test_fma_metadata_gives_every_track_with_audio_its_id_path_and_genre_labels(tmp_path: Path) -> None:
    table, audio = make_fma(tmp_path, seconds=1.0)

    corpus = read_corpus(table, audio_root=audio)

    assert corpus.kind == "fma" and corpus.missing_audio == 1
    assert [t.track_id for t in corpus.tracks] == [f"{tid:06d}" for tid, *_ in TRACKS]
    first = corpus.tracks[0]
    assert first.path == str(audio / "000" / "000002.mp3")
    assert first.labels == {"genre": "Hip-Hop", "genre_ids": "[21]", "subset": "small", "split": "training"}
    assert corpus.tracks[-1].labels["genre"] == ""  # FMA leaves genre_top empty for many tracks


def test_a_folder_gives_its_audio_files_with_their_relative_paths_as_ids(tmp_path: Path) -> None:
    (tmp_path / "in" / "side b").mkdir(parents=True)
    write(tmp_path / "in" / "one.wav", pulse_track(1.0), 22050)
    write(tmp_path / "in" / "side b" / "two.flac", pulse_track(1.0), 22050)
    (tmp_path / "in" / "notes.txt").write_text("not audio")

    corpus = read_corpus(tmp_path / "in")

    assert [(t.track_id, Path(t.path).name) for t in corpus.tracks] == [
        ("one.wav", "one.wav"), ("side_b_two.flac", "two.flac")
    ]


def test_a_list_file_names_tracks_relative_to_itself_and_skips_comments(tmp_path: Path) -> None:
    write(tmp_path / "a.wav", pulse_track(1.0), 22050)
    write(tmp_path / "b.wav", pulse_track(1.0), 22050)
    listing = tmp_path / "corpus.txt"
    listing.write_text(f"# my corpus\na.wav\n\n{tmp_path / 'b.wav'}\n")

    corpus = read_corpus(listing)

    assert corpus.kind == "list" and [t.track_id for t in corpus.tracks] == ["a.wav", "b.wav"]


def test_bad_sources_get_one_error_naming_the_problem(tmp_path: Path) -> None:
    listing = tmp_path / "corpus.txt"
    listing.write_text("gone.wav\n")
    with pytest.raises(CorpusError, match=r"corpus.txt:1: gone.wav does not exist"):
        read_corpus(listing)
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="holds no audio"):
        read_corpus(tmp_path / "empty")
    not_fma = tmp_path / "meta" / "tracks.csv"
    not_fma.parent.mkdir()
    not_fma.write_text("a,b\n1,2\n3,4\n")
    with pytest.raises(CorpusError, match=r"not FMA's tracks\.csv"):
        read_corpus(not_fma, audio_root=tmp_path)
    table, _ = make_fma(tmp_path / "fma", seconds=0.5)
    with pytest.raises(CorpusError, match=r"none of the 6 tracks .* \(track 2 is expected at"):
        read_corpus(table, audio_root=tmp_path / "empty")
