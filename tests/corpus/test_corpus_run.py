"""A corpus run writes a genre-partitioned Parquet dataset and one JAMS per track, reports each
failed track once, and a rerun does only what is not done."""

from __future__ import annotations

import json
from pathlib import Path

import jams
import pytest

from mirloop.corpus import analyze_corpus, read_corpus
from mirloop.corpus.run import read_table
from mirloop.executors import LocalExecutor
from tests.corpus.fma_fixture import TRACKS, make_fma
from tests.pipelines.audio_files import pulse_track, write
from tests.pipelines.toy_backends import TOY_CONFIG

pytestmark = [
    pytest.mark.usefixtures("toy_registry"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema"),
]


def test_an_fma_corpus_becomes_a_partitioned_table_with_its_genres_and_a_jams_per_track(
    tmp_path: Path,
) -> None:
    table, audio = make_fma(tmp_path)
    out = tmp_path / "out"

    report = analyze_corpus(table, out, executor=LocalExecutor(1), config=TOY_CONFIG, audio_root=audio)

    assert (report.planned, report.made, report.failures, report.missing_audio) == (5, 5, (), 1)
    rows = read_table(out).sort_values("track_id")
    assert list(rows.track_id) == [f"{tid:06d}" for tid, *_ in TRACKS]
    assert [g if isinstance(g, str) else None for g in rows.genre] == [
        "Hip-Hop", "Hip-Hop", "Folk", "Old-Time / Historic", None
    ]
    assert list(rows.subset) == ["small", "small", "small", "medium", "large"]
    assert list(rows.tempo_bpm) == [120.0] * 5  # the toy tempo backend's answer
    assert rows.filter(like="mean_").shape[1] > 0 and rows.filter(like="mean_").notna().all().all()
    partitions = sorted(p.name for p in (out / "tracks").iterdir())
    assert partitions == ["genre=Folk", "genre=Hip-Hop", "genre=Old-Time%20%2F%20Historic",
                          "genre=__HIVE_DEFAULT_PARTITION__"]
    annotations = jams.load(str(out / "jams" / "000002.jams"))
    assert annotations.file_metadata.title == "000002"
    assert sorted(p.name for p in (out / "jams").iterdir()) == [f"{tid:06d}.jams" for tid, *_ in TRACKS]


def test_a_poisoned_track_is_reported_once_and_a_rerun_does_only_what_is_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table, audio = make_fma(tmp_path)
    poisoned = audio / "000" / "000140.mp3"
    good = poisoned.read_bytes()
    poisoned.write_bytes(b"ID3 this is not audio at all")
    out = tmp_path / "out"

    first = analyze_corpus(table, out, executor=LocalExecutor(1), config=TOY_CONFIG, audio_root=audio,
                           progress=True)

    bar = capsys.readouterr().err.rsplit("\r", 1)[-1]
    assert "corpus: 100%" in bar and "5/5" in bar and "1 failed" in bar  # done/total, failures
    assert (first.made, [f["track_id"] for f in first.failures]) == (4, ["000140"])
    assert first.failures[0]["error"].startswith(str(poisoned))
    summary = json.loads((out / "summary.json").read_text())
    assert [f["track_id"] for f in summary["failed"]] == ["000140"]
    assert len(read_table(out)) == 4

    poisoned.write_bytes(good)
    second = analyze_corpus(table, out, executor=LocalExecutor(1), config=TOY_CONFIG, audio_root=audio,
                            progress=True)

    assert (second.already_done, second.made, second.failures) == (4, 1, ())
    assert "5/5" in capsys.readouterr().err  # the bar starts at the 4 tracks done before
    rows = read_table(out)
    assert len(rows) == 5 and rows.track_id.is_unique


def test_results_go_to_an_fsspec_url(tmp_path: Path) -> None:
    pytest.importorskip("fsspec")
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a", "b"):
        write(folder / f"{name}.wav", pulse_track(2.0), 22050)
    url = f"memory://corpus-{tmp_path.name}"

    report = analyze_corpus(read_corpus(folder), url, executor=LocalExecutor(1), config=TOY_CONFIG)

    assert report.made == 2
    rows = read_table(url)
    assert sorted(rows.track_id) == ["a.wav", "b.wav"] and rows.genre.isna().all()
    import fsspec

    written = fsspec.filesystem("memory").glob(f"/corpus-{tmp_path.name}/jams/*")
    assert sorted(Path(p).name for p in written) == ["a.wav.jams", "b.wav.jams"]
