"""Every backend runs on every annotated file; a crash is reported and the batch goes on."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from mirloop.cli.main import main
from mirloop.evaluation import compare_backends
from mirloop.evaluation.report import save, to_csv, to_markdown
from mirloop.evaluation.synthetic import build_synthetic_dataset
from mirloop.plugins import build_registry, hookimpl
from mirloop.signal import TrackContext
from mirloop.stages import Backend, Option
from mirloop.types import Key, KeyEstimate, TempoEstimate


class CrashesOnFast(Backend):
    """Answers 100 BPM, except on tracks whose name says they are fast, where it raises."""

    name: ClassVar[str] = "fragile"
    stage: ClassVar[str] = "tempo"

    def estimate_tempo(self, ctx: TrackContext) -> TempoEstimate:
        if "160bpm" in (ctx.audio.source or ""):
            raise RuntimeError("cannot handle fast music")
        return TempoEstimate(bpm=100.0, confidence=0.5, window_bpm=[100.0] * ctx.grid.n_windows)


class Fixed(Backend):
    """Answers the tempo its option says."""

    name: ClassVar[str] = "fixed"
    stage: ClassVar[str] = "tempo"
    options: ClassVar[dict[str, Option]] = {"bpm": Option(100.0, float, "the answer, BPM")}

    def estimate_tempo(self, ctx: TrackContext) -> TempoEstimate:
        return TempoEstimate(bpm=self.opts["bpm"], confidence=0.5, window_bpm=[100.0] * ctx.grid.n_windows)


class FixedKey(Backend):
    """Answers C major for the track and every window."""

    name: ClassVar[str] = "c-major"
    stage: ClassVar[str] = "key"

    def estimate_key(self, ctx: TrackContext) -> KeyEstimate:
        n = ctx.grid.n_windows
        return KeyEstimate(Key("C", "major"), 0.5, (Key("C", "major"),) * n, np.full(n, 0.5))


class FragilePlugin:
    @hookimpl
    def register_inducers(self, register) -> None:  # type: ignore[no-untyped-def]
        register(CrashesOnFast)
        register(Fixed)
        register(FixedKey)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dataset")
    build_synthetic_dataset(folder, seconds=8.0, renders=False)
    for path in folder.iterdir():  # keep three files: 100 and 160 BPM grooves, one spliced track
        if not any(tag in path.name for tag in ("100bpm", "160bpm", "spliced_ABA")):
            path.unlink()
    return folder


def test_the_synthetic_dataset_has_exact_references(dataset: Path) -> None:
    from mirloop.evaluation import find_items, read_truth

    truths = {i.name: read_truth(i.annotation) for i in find_items(dataset)}
    assert truths["signals_100bpm_A_minor.wav"].tempo == 100.0
    assert str(truths["signals_160bpm_C_minor.wav"].key) == "C minor"
    assert truths["signals_spliced_ABA.wav"].stages == ("segmenter",)


def test_a_crash_is_recorded_scored_zero_and_the_others_still_run(dataset: Path) -> None:
    registry = build_registry(extra_plugins=(FragilePlugin(),))
    comparison = compare_backends(dataset, "tempo", backends=["librosa", "fragile"], plugins=registry)
    assert comparison.skipped == ("signals_spliced_ABA.wav",)
    by_name = {(r.backend, r.file): r for r in comparison.results}
    crashed = by_name[("fragile", "signals_160bpm_C_minor.wav")]
    assert not crashed.ok and "cannot handle fast music" in crashed.error
    assert by_name[("fragile", "signals_100bpm_A_minor.wav")].scores == {"acc1": 1.0, "acc2": 1.0}
    summaries = {s.backend: s for s in comparison.summaries()}
    assert (summaries["fragile"].n_files, summaries["fragile"].n_failed) == (2, 1)
    assert summaries["fragile"].scores["acc1"] == 0.5
    assert summaries["librosa"].n_failed == 0
    assert summaries["librosa"].seconds_per_minute > 0
    markdown = to_markdown(comparison)
    assert "`fragile` on `signals_160bpm_C_minor.wav`: RuntimeError: cannot handle fast music" in markdown
    rows = list(csv.DictReader(io.StringIO(to_csv(comparison))))
    assert len(rows) == 4 and {r["backend"] for r in rows} == {"librosa", "fragile"}


def test_key_and_segmenter_are_compared_with_their_own_metrics(dataset: Path, tmp_path: Path) -> None:
    key = compare_backends(dataset, "key", backends=["librosa"])
    assert key.metrics == ("mirex", "mirex_time") and len(key.results) == 2
    segments = compare_backends(dataset, "segmenter", backends=["laplacian"])
    assert segments.metrics == ("f_0.5s", "f_3s")
    written = save(segments, tmp_path)
    assert sorted(p.name for p in written) == ["segmenter.csv", "segmenter.json", "segmenter.md"]


def test_the_command_prints_json_and_saves_the_tables(dataset: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["evaluate-backends", str(dataset), "--stage", "tempo", "--backend", "librosa", "--json",
                   "-o", str(tmp_path)])
    assert status == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert report["stage"] == "tempo"
    assert report["summary"][0]["backend"] == "librosa"
    assert set(report["summary"][0]) >= {"acc1", "acc2", "seconds_per_minute", "failed"}
    assert (tmp_path / "tempo.md").is_file() and (tmp_path / "tempo.csv").is_file()


def test_an_unknown_backend_fails_with_the_installed_ones(
    dataset: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["evaluate-backends", str(dataset), "--stage", "key", "--backend", "nope"]) == 2
    assert "Installed:" in capsys.readouterr().err


def test_the_command_exits_1_and_lists_the_failures_when_a_backend_failed(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mirloop import plugins

    monkeypatch.setattr(plugins, "_REGISTRY", build_registry(extra_plugins=(FragilePlugin(),)))

    status = main(["evaluate-backends", str(dataset), "--stage", "tempo", "--backend", "fragile", "--json",
                   "-o", str(tmp_path)])

    captured = capsys.readouterr()
    assert status == 1
    (report,) = json.loads(captured.out)
    (failure,) = report["failed"]
    assert failure["backend"] == "fragile" and failure["file"] == "signals_160bpm_C_minor.wav"
    assert "cannot handle fast music" in failure["error"]
    assert "error: 1 of 2 backend run(s) on a file failed" in captured.err
    assert (tmp_path / "tempo.md").is_file()


def test_set_passes_an_option_to_the_compared_backend_and_refuses_one_nobody_has(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mirloop import plugins

    monkeypatch.setattr(plugins, "_REGISTRY", build_registry(extra_plugins=(FragilePlugin(),)))
    status = main(["evaluate-backends", str(dataset), "--stage", "tempo", "--backend", "fixed",
                   "--set", "fixed.bpm=160", "--json", "-o", str(tmp_path)])
    assert status == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert {row["estimate"] for row in report["files"]} == {"160.0"}

    assert main(["evaluate-backends", str(dataset), "--stage", "tempo", "--set", "fixed.profile=edma"]) == 2
    err = capsys.readouterr().err
    assert "no compared stage (tempo) has a backend 'fixed' with an option 'profile'" in err


def test_the_window_keys_of_a_modulating_file_are_scored_against_the_key_of_each_moment(
    tmp_path: Path,
) -> None:
    from mirloop.io.audio_out import write_audio_file
    from mirloop.testing.signals import cadence

    keys = [("C", "major"), ("A", "minor"), ("E", "major")]
    parts = [cadence(tonic, mode, chord_seconds=1.5, repeats=2) for tonic, mode in keys]  # 12 s each
    audio = np.concatenate([part.samples for part in parts])
    write_audio_file(tmp_path / "medley.wav", audio, parts[0].sr)
    rows = [f"key,{12 * i},{12 * (i + 1)},{tonic}:{mode}\n" for i, (tonic, mode) in enumerate(keys)]
    (tmp_path / "medley.csv").write_text("kind,start,end,value\n" + "".join(rows))
    registry = build_registry(extra_plugins=(FragilePlugin(),))
    comparison = compare_backends(tmp_path, "key", backends=["librosa", "c-major"], plugins=registry)
    by_backend = {r.backend: r for r in comparison.results}
    # C major throughout: right for 12 s, the relative key (0.3) for 12 s, wrong for 12 s
    assert by_backend["c-major"].scores == {"mirex_time": pytest.approx((12 + 0.3 * 12) / 36)}
    assert by_backend["librosa"].scores["mirex_time"] > 0.75  # it hears the key change
    assert by_backend["librosa"].reference == "C major@0 A minor@12 E major@24"
    summary = {s.backend: s.scores for s in comparison.summaries()}
    assert np.isnan(summary["c-major"]["mirex"])  # no key covers half the file
    assert "| `c-major` | — | 0.433 |" in to_markdown(comparison)
