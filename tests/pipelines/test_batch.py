"""analyze_tracks(): every track gets its outputs or a failure report; one bad file stops nothing."""

from __future__ import annotations

import json
from pathlib import Path

import jams
import numpy as np
import pandas as pd
import pytest

from mirloop.errors import AudioError
from mirloop.io.output_names import output_names
from mirloop.pipelines.batch import analyze_tracks, find_tracks
from tests.pipelines.audio_files import pulse_track, write
from tests.pipelines.toy_backends import TOY_CONFIG

pytestmark = [
    pytest.mark.usefixtures("toy_registry"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema"),
]


@pytest.fixture
def tracks(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    good = write(folder / "good.flac", pulse_track(14.0), 22050)
    bad = folder / "bad.wav"
    bad.write_bytes(b"RIFF but not really a wave file" * 10)
    other = write(folder / "other.ogg", pulse_track(6.0), 22050, format="OGG")
    return [good, bad, other]


def test_bad_file_is_reported_and_the_others_finish(tracks: list[Path], tmp_path: Path) -> None:
    reports = analyze_tracks(tracks, tmp_path / "out", config=TOY_CONFIG, figure=False)

    assert [r.ok for r in reports] == [True, False, True]
    good, bad, other = reports
    assert bad.source == str(tracks[1]) and "not a recognised audio file" in (bad.error or "")
    assert good.duration == pytest.approx(14.0, abs=1e-3) and good.tempo_bpm == 120.0
    assert good.key == "A minor" and good.n_segments == 2
    assert good.realtime_factor is not None and good.realtime_factor > 0
    assert other.ok and not (tmp_path / "out" / "bad").exists()


def test_each_track_gets_its_folder_of_outputs(tracks: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out"

    (report,) = analyze_tracks(tracks[:1], out, config=TOY_CONFIG)

    folder = out / "good"
    assert sorted(p.name for p in folder.iterdir()) == [
        "good.grid.parquet", "good.jams", "good.png", "good.segments.csv", "good.segments.parquet",
    ]
    assert report.outputs is not None and report.outputs["jams"] == str(folder / "good.jams")
    assert jams.load(str(folder / "good.jams")).validate()
    grid = pd.read_parquet(folder / "good.grid.parquet")
    assert len(grid) == 3 and {"tempo_bpm", "key", "segment"} <= set(grid.columns)
    segments = pd.read_csv(folder / "good.segments.csv")
    assert list(segments["label"]) == ["A", "B"]
    assert (folder / "good.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_rerunning_replaces_outputs(tracks: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    analyze_tracks(tracks[:1], out, config=TOY_CONFIG, figure=False)

    slower = {**TOY_CONFIG, "tempo": {"backend": "toy", "bpm": 90}}
    analyze_tracks(tracks[:1], out, config=slower, figure=False)

    grid = pd.read_parquet(out / "good" / "good.grid.parquet")
    assert np.all(grid["tempo_bpm"] == 90.0)
    assert not [p for p in (out / "good").iterdir() if p.name.startswith(".")]  # no temporary files


def test_reports_arrive_as_tracks_finish(tracks: list[Path], tmp_path: Path) -> None:
    seen: list[str] = []

    analyze_tracks(tracks, tmp_path / "out", config=TOY_CONFIG, figure=False,
                   on_report=lambda report: seen.append(Path(report.source).name))

    assert seen == ["good.flac", "bad.wav", "other.ogg"]


def test_a_folder_expands_to_the_audio_inside(tracks: list[Path]) -> None:
    (tracks[0].parent / "notes.txt").write_text("not audio")

    found = find_tracks([tracks[0].parent])

    assert [p.name for p in found] == ["bad.wav", "good.flac", "other.ogg"]


def test_a_folder_without_audio_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(AudioError, match="holds no audio files"):
        find_tracks([tmp_path])


def test_same_named_tracks_keep_their_own_outputs_and_the_summary_maps_them(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, seconds in (("a-2.ogg", 4.0), ("a.ogg", 6.0), ("a.wav", 8.0)):
        write(folder / name, pulse_track(seconds), 22050)
    out = tmp_path / "out"

    reports = analyze_tracks([folder], out, config=TOY_CONFIG, figure=False)

    folders = {Path(r.source).name: Path(r.folder or "").name for r in reports}
    assert folders == {"a-2.ogg": "a-2", "a.ogg": "a.ogg", "a.wav": "a.wav"}
    for report in reports:  # each track's results are its own: nothing was overwritten
        track_folder = Path(report.folder or "")
        jam = jams.load(str(track_folder / f"{track_folder.name}.jams"), validate=False)
        assert jam.file_metadata.duration == pytest.approx(report.duration)
    summary = json.loads((out / "summary.json").read_text())
    assert {t["source"]: t["folder"] for t in summary["tracks"]} == {r.source: r.folder for r in reports}
    assert summary["n_ok"] == 3 and summary["failed"] == []


def test_output_names_are_the_same_in_any_input_order(tmp_path: Path) -> None:
    tracks = [Path("in/a-2.ogg"), Path("in/a.ogg"), Path("in/a.wav")]

    assert output_names(tracks) == ["a-2", "a.ogg", "a.wav"]
    assert output_names(tracks[::-1]) == ["a.wav", "a.ogg", "a-2"]


def test_worker_processes_report_in_input_order(tracks: list[Path], tmp_path: Path) -> None:
    # stages off: this checks the process plumbing, not the backends (each worker is a fresh interpreter)
    loading_only = {stage: "none" for stage in ("features", "tempo", "key", "segmenter")}

    reports = analyze_tracks(tracks, tmp_path / "out", config=loading_only, workers=2, figure=False)

    assert [Path(r.source).name for r in reports] == ["good.flac", "bad.wav", "other.ogg"]
    assert [r.ok for r in reports] == [True, False, True]
    assert reports[0].duration == pytest.approx(14.0, abs=1e-3) and reports[0].tempo_bpm is None
    assert "not a recognised audio file" in (reports[1].error or "")
    assert len(pd.read_parquet(tmp_path / "out" / "other" / "other.grid.parquet")) == 1


@pytest.mark.parametrize("file_name", ["...wav", "..wav", ".hidden.wav"])
def test_a_track_name_cannot_write_outside_or_hide_in_the_output_folder(
    file_name: str, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    (work / "in").mkdir(parents=True)
    track = write(work / "in" / file_name, pulse_track(4.0), 22050, format="WAV")
    out = work / "out"

    (report,) = analyze_tracks([track], out, config=TOY_CONFIG, figure=False)

    assert report.ok, report.error
    folder = Path(report.folder or "")
    assert folder.parent == out and not folder.name.startswith(".")
    assert sorted(p.name for p in work.iterdir()) == ["in", "out"]
    assert sorted(p.name for p in (work / "in").iterdir()) == [file_name]
    assert (folder / f"{folder.name}.jams").is_file()


def test_writing_outputs_under_an_unsafe_name_is_refused(tracks: list[Path], tmp_path: Path) -> None:
    from mirloop.errors import OutputError
    from mirloop.pipelines.analyze import analyze_file, resolve_analysis_config
    from mirloop.pipelines.outputs import write_outputs

    run = analyze_file(tracks[0], config=resolve_analysis_config(TOY_CONFIG))

    with pytest.raises(OutputError, match=r"cannot name an output folder.*use '__'"):
        write_outputs(run, tmp_path / "out", name="..", figure=False)
    assert list(tmp_path.iterdir()) == [tracks[0].parent]
