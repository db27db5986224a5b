"""References come from JAMS or CSV files next to the audio."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mirloop.errors import DatasetError
from mirloop.evaluation import find_items, read_truth
from mirloop.types import Key


def test_csv_with_tempo_key_and_segments(tmp_path: Path) -> None:
    path = tmp_path / "song.csv"
    path.write_text("kind,start,end,value\ntempo,0,30,128\nkey,0,30,Db:major\n"
                    "segment,0,12,A\nsegment,12,30,B\n")
    truth = read_truth(path)
    assert truth.tempo == 128.0
    assert truth.key == Key("C#", "major")
    assert np.array_equal(truth.intervals, [[0, 12], [12, 30]])
    assert truth.stages == ("tempo", "key", "segmenter")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_jams_reference_is_the_tempo_and_key_covering_most_of_the_track(tmp_path: Path) -> None:
    import jams

    jam = jams.JAMS()
    jam.file_metadata.duration = 30.0
    tempo = jams.Annotation("tempo", time=0, duration=30)
    tempo.append(time=0, duration=10, value=90.0, confidence=1.0)
    tempo.append(time=10, duration=20, value=120.0, confidence=1.0)
    key = jams.Annotation("key_mode", time=0, duration=30)
    key.append(time=0, duration=20, value="E:minor", confidence=1.0)
    key.append(time=20, duration=10, value="G:major", confidence=1.0)
    jam.annotations.extend([tempo, key])
    jam.save(str(tmp_path / "song.jams"))
    truth = read_truth(tmp_path / "song.jams")
    assert (truth.tempo, truth.key, truth.intervals) == (120.0, Key("E", "minor"), None)
    assert truth.stages == ("tempo", "key")


def test_no_reference_when_no_tempo_or_key_covers_half_the_track(tmp_path: Path) -> None:
    path = tmp_path / "medley.csv"
    path.write_text("kind,start,end,value\ntempo,0,10,90\ntempo,10,20,120\ntempo,20,30,140\n"
                    "key,0,10,C:major\nkey,10,20,A:minor\nkey,20,30,E:major\n"
                    "segment,0,10,A\nsegment,10,20,B\nsegment,20,30,C\n")
    truth = read_truth(path)
    assert (truth.tempo, truth.key) == (None, None)
    # the key regions stay, for the window keys: no track-level key, but a key at each moment
    assert truth.key_regions == (
        (0.0, 10.0, Key("C", "major")), (10.0, 20.0, Key("A", "minor")), (20.0, 30.0, Key("E", "major"))
    )
    assert truth.stages == ("key", "segmenter")


def test_a_bad_key_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("kind,start,end,value\nkey,0,30,H:dorian\n")
    with pytest.raises(DatasetError, match=r"bad\.csv.*H:dorian"):
        read_truth(path)


def test_only_audio_with_an_annotation_of_the_same_stem_is_an_item(tmp_path: Path) -> None:
    for name in ("a.wav", "a.jams", "b.flac", "b.csv", "c.wav", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    assert [(i.audio.name, i.annotation.name) for i in find_items(tmp_path)] == [("a.wav", "a.jams"),
                                                                                ("b.flac", "b.csv")]


def test_a_folder_without_annotated_audio_says_what_is_expected(tmp_path: Path) -> None:
    (tmp_path / "lonely.wav").write_bytes(b"")
    with pytest.raises(DatasetError, match=r"song\.jams"):
        find_items(tmp_path)
