"""The whole loop on real audio with a real (tiny) trained model: files, tables and failure handling."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mirloop.config import Config
from mirloop.loop.report import LoopReport
from mirloop.loop.run import run_loop
from mirloop.loop.settings import LoopSettings
from mirloop.types.descriptor import TARGETS

SETTINGS = LoopSettings(renders=2, descriptors=1, tempi=1, keys=1, seed=0)


@pytest.fixture(scope="module")
def loop_run(
    tracks: dict[str, Path], tiny_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[LoopReport, Path]:
    out = tmp_path_factory.mktemp("loop-out")
    order = [tracks[name] for name in ("reference", "short", "silent", "broken")]
    return run_loop(order, out, model=tiny_model, settings=SETTINGS), out


def track(report: LoopReport, name: str) -> dict[str, Any]:
    return next(t for t in report.tracks if t["name"] == name)


def test_every_output_is_written(loop_run: tuple[LoopReport, Path]) -> None:
    _, out = loop_run
    for name in (
        "accuracy.csv",
        "consistency.csv",
        "consistency_by_title.csv",
        "boundaries.csv",
        "spread.csv",
        "report.json",
        "report.html",
    ):
        assert (out / name).is_file(), name
    folder = out / "reference"
    for name in (
        "grid.parquet",
        "grid.csv",
        "segments.parquet",
        "segments.csv",
        "candidates.json",
        "input.ogg",
        "loop.png",
        "timelines/single-00.json",
        "timelines/multi-01.json",
        "renders/multi-00.ogg",
    ):
        assert (folder / name).is_file(), name
    html = (out / "report.html").read_text()
    assert "<audio" in html and "reference/renders/multi-00.ogg" in html and "loop.png" in html


def test_single_region_renders_are_scored_on_every_target(loop_run: tuple[LoopReport, Path]) -> None:
    report, _ = loop_run
    reference = report.single[report.single["track"] == "reference"]
    assert set(reference["target"]) == set(TARGETS)
    assert list(report.accuracy["target"]) == list(TARGETS)
    assert report.accuracy["accuracy"].between(0, 1).all()


def test_multi_region_renders_follow_the_input_segments(loop_run: tuple[LoopReport, Path]) -> None:
    from mirloop.timeline import Timeline

    _, out = loop_run
    segments = pd.read_csv(out / "reference" / "segments.csv")
    timeline = Timeline.from_json(json.loads((out / "reference" / "timelines" / "multi-00.json").read_text()))
    regions = timeline.regions()
    assert regions[-1].end == pytest.approx(segments["end"].iloc[-1])
    starts = {round(r.start, 3) for r in regions}
    assert starts <= {round(s, 3) for s in segments["start"]}
    assert all(name in set(segments["descriptor"]) for name in (r.descriptor.name for r in regions))


def test_consistency_and_boundaries_are_reported_per_title(loop_run: tuple[LoopReport, Path]) -> None:
    report, _ = loop_run
    assert set(report.by_title["track"]) >= {"reference"}
    assert report.consistency["consistency"].between(0, 1).all()
    assert set(report.boundaries["render"]) == {"multi-00", "multi-01"}
    assert report.boundaries["f"].between(0, 1).all()
    assert len(report.spread) == 3 and {"entropy", "top_share", "dominated"} <= set(report.spread)


def test_silence_is_skipped_with_a_reason_and_a_broken_file_fails_alone(
    loop_run: tuple[LoopReport, Path],
) -> None:
    report, _ = loop_run
    silent = track(report, "silent")
    assert silent["ok"] and "silent" in silent["skipped"] and silent["renders"] == []
    broken = track(report, "broken")
    assert not broken["ok"] and "not a recognised audio file" in broken["error"]
    short = track(report, "short")
    assert short["ok"] and short["duration"] == pytest.approx(3.0, abs=0.01)
    assert all(r["ok"] for r in short["renders"])


def test_failed_renders_are_named_and_the_rest_is_kept(
    tracks: dict[str, Path], tiny_model: Path, tmp_path: Path
) -> None:
    from mirloop.catalog import load_catalog
    from mirloop.errors import RenderError
    from mirloop.loop.configuration import loop_config
    from mirloop.loop.report import build_report
    from mirloop.loop.track import loop_track
    from mirloop.renderer.backend import MirloopRenderer

    class EveryOtherRenderFails(MirloopRenderer):
        calls = 0

        def render(self, timeline: Any, seed: int | None = None) -> Any:
            type(self).calls += 1
            if type(self).calls % 2 == 0:
                raise RenderError("the render server is busy")
            return super().render(timeline, seed)

    config = loop_config(model=tiny_model, separate=False)
    result = loop_track(
        tracks["short"],
        "short",
        tmp_path / "short",
        config=config,
        renderer=EveryOtherRenderFails(),
        catalog=load_catalog(),
        settings=SETTINGS,
    )
    report = build_report([result], settings=SETTINGS, config=config, seconds=0.0)
    failed = [f["name"] for f in report.failed_renders]
    assert failed and all(f["error"].endswith("the render server is busy") for f in report.failed_renders)
    kept = [r["name"] for r in result.renders if r["ok"]]
    assert kept and not set(kept) & set(failed)
    assert report.accuracy["heldout"].isna().all()  # the tiny model was trained without a held-out split

    # with the classifier's held-out render accuracy per descriptor, every row is compared with it
    rendered = {r.descriptor for r in result.agreement} | {r.descriptor for r in result.single}
    heldout = {t: {str(d): 0.5 for d in rendered} for t in TARGETS}
    compared = build_report([result], settings=SETTINGS, config=config, seconds=0.0, heldout=heldout)
    assert (compared.agreement["heldout"] == 0.5).all() and (compared.single["heldout"] == 0.5).all()
    assert compared.accuracy["heldout"].tolist() == [0.5] * len(TARGETS)
    assert compared.losses["heldout"].tolist() == [0.5] * len(compared.losses)


def test_the_shipped_model_brings_its_held_out_accuracy_per_descriptor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mirloop.catalog import load_catalog
    from mirloop.loop.configuration import heldout_scores, loop_config

    monkeypatch.delenv("MIRLOOP_MODEL", raising=False)
    scores = heldout_scores(loop_config())
    assert scores is not None and set(scores) >= set(TARGETS)
    assert set(scores["mood"]) == {d.name for d in load_catalog()}
    assert all(0.0 <= a <= 1.0 for by in scores.values() for a in by.values())


def test_without_a_model_the_loop_classifies_its_inputs_as_classify_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mirloop.classify.backend import default_classifier
    from mirloop.loop.configuration import loop_config

    monkeypatch.delenv("MIRLOOP_MODEL", raising=False)
    config = loop_config({"classifier": {"backend": "none"}})

    default = default_classifier()  # the real-music classifier where its plugin is installed
    assert config.backend("classifier") == default["classifier"]["backend"]
    assert config.backend("features") == default.get("features", {}).get("backend", "librosa")


def test_a_model_from_the_environment_hears_the_inputs_and_the_renders(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``$MIRLOOP_MODEL`` reaches the classifier the loop picks after the configuration is loaded
    (it used to fall back to the shipped model, silently, for inputs and renders alike); renders
    of another production than the model's are heard by the model shipped for theirs."""
    import shutil

    from mirloop.classify.backend import DEFAULT_MODEL, SHIPPED_MODELS
    from mirloop.loop.configuration import loop_config, render_analysis_config
    from mirloop.plugins import registry

    model = tmp_path / "my-model"
    shutil.copytree(DEFAULT_MODEL, model)  # a model of GM renders
    monkeypatch.setenv("MIRLOOP_MODEL", str(model))

    def heard(config: Config) -> tuple[str, str]:
        return tuple(  # type: ignore[return-value]
            registry().create("classifier", "mlp", heard_as.options("classifier")).model_path()
            for heard_as in (config, render_analysis_config(config, segment=False))
        )

    gm = loop_config({"classifier": {"backend": "none"}, "renderer": {"production": "gm"}})
    assert gm.backend("classifier") == "mlp" and gm.backend("features") == "librosa"
    assert heard(gm) == (str(model), str(model))
    default = loop_config({"classifier": {"backend": "none"}})
    assert heard(default) == (str(model), str(SHIPPED_MODELS["genre"]))


def test_configured_real_music_features_go_with_the_real_music_classifier(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mirloop.loop.configuration import loop_config
    from mirloop.plugins import registry

    if "fused" not in registry().names("classifier"):
        pytest.skip("the mirloop-musicnn plugin is not installed")
    monkeypatch.delenv("MIRLOOP_MODEL", raising=False)
    config = loop_config({"classifier": {"backend": "none"}, "features": {"backend": "musicnn"}})

    assert config.backend("classifier") == "fused" and config.backend("features") == "musicnn"


def test_renders_are_heard_by_the_model_alone_on_its_own_features() -> None:
    from mirloop.loop.configuration import render_analysis_config

    config = loop_config_with({"classifier": {"backend": "mlp"}})
    heard = render_analysis_config(config, segment=False)

    assert heard.backend("classifier") == "mlp" and heard.options("classifier")["domain"] == "render"
    assert heard.backend("features") == "librosa" and heard.backend("separator") == "none"


def loop_config_with(layer: dict[str, Any]) -> Any:
    from mirloop.loop.configuration import loop_config

    return loop_config(layer)


def test_the_command_line_writes_the_report_and_prints_json(
    tracks: dict[str, Path], tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mirloop.cli.main import main

    status = main(
        [
            "loop",
            str(tracks["short"]),
            "-o",
            str(tmp_path),
            "--model",
            str(tiny_model),
            "--renders",
            "1",
            "--descriptors",
            "1",
            "--no-separation",
            "--no-audio",
            "--json",
        ]
    )
    assert status == 0
    data = json.loads(capsys.readouterr().out)
    assert [row["target"] for row in data["accuracy"]] == list(TARGETS)
    assert (tmp_path / "report.html").is_file() and data["tracks"][0]["name"] == "short"


def test_tracks_on_two_processes_give_the_same_numbers(
    loop_run: tuple[LoopReport, Path], tracks: dict[str, Path], tiny_model: Path, tmp_path: Path
) -> None:
    report, _ = loop_run
    order = [tracks[name] for name in ("reference", "short", "silent", "broken")]
    pooled = run_loop(order, tmp_path / "out", model=tiny_model, settings=SETTINGS, workers=2)
    assert [t["name"] for t in pooled.tracks] == [t["name"] for t in report.tracks]
    assert [t["ok"] for t in pooled.tracks] == [t["ok"] for t in report.tracks]
    pd.testing.assert_frame_equal(pooled.accuracy, report.accuracy)
    pd.testing.assert_frame_equal(pooled.consistency, report.consistency)
    pd.testing.assert_frame_equal(pooled.losses, report.losses)
    assert (tmp_path / "out" / "reference" / "segments.csv").is_file()


def test_the_report_says_where_consistency_is_lost(loop_run: tuple[LoopReport, Path]) -> None:
    report, out = loop_run
    losses = report.losses.set_index("target")
    assert set(losses.index) == set(TARGETS)
    for row in losses.to_dict("records"):
        assert 0.0 <= row["lost_in_reduce"] + row["lost_in_render"] <= 1.0 - row["consistency"] + 1e-9
    assert pd.read_csv(out / "losses.csv").shape[0] == len(TARGETS)
    assert "Where consistency is lost" in (out / "report.html").read_text()
    assert {"rendered", "renders", "input"} <= set(report.agreement.columns)


def test_several_seeds_run_one_loop_each_and_are_summarised(
    tracks: dict[str, Path], tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mirloop.cli.main import main

    args = ["loop", str(tracks["reference"]), "-o", str(tmp_path), "--model", str(tiny_model)]
    args += ["--renders", "2", "--descriptors", "1", "--no-separation", "--no-audio", "--seeds", "0,3"]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["seeds"] == [0, 3]
    summary = pd.read_csv(tmp_path / "seeds.csv").set_index("target")
    assert list(summary.index) == list(TARGETS)
    for seed in (0, 3):
        report = json.loads((tmp_path / f"seed-{seed}" / "report.json").read_text())
        assert report["config"]["settings"]["seed"] == seed
        accuracy = {row["target"]: row["accuracy"] for row in report["accuracy"]}
        assert summary[f"accuracy_{seed}"].to_dict() == pytest.approx(accuracy)
    for kind in ("accuracy", "consistency"):
        mean = summary[[f"{kind}_0", f"{kind}_3"]].mean(axis=1)
        assert summary[kind].to_numpy() == pytest.approx(mean.to_numpy(), nan_ok=True)
        assert (summary[f"{kind}_min"] <= summary[kind] + 1e-12).all()
    # the multi-region renders differ between the seeds: their timelines are drawn anew
    first, other = (
        (tmp_path / f"seed-{s}" / "reference" / "timelines" / "multi-00.json").read_text() for s in (0, 3)
    )
    assert first != other

    assert main([*args[:-1], "1,x"]) == 2
    assert "comma-separated list of integers" in capsys.readouterr().err


def test_same_named_tracks_get_their_own_folders_named_in_the_report(
    tracks: dict[str, Path], tiny_model: Path, tmp_path: Path
) -> None:
    import soundfile as sf

    folder = tmp_path / "in"
    folder.mkdir()
    audio, sr = sf.read(tracks["reference"])
    for name, seconds in (("a-2.wav", 3), ("a.wav", 4), ("a.flac", 5)):
        sf.write(folder / name, audio[: seconds * sr], sr)
    quick = LoopSettings(renders=0, descriptors=0, separate=False, audio=False, html=False)

    report = run_loop([folder], tmp_path / "out", model=tiny_model, settings=quick)

    by_source = {Path(t["source"]).name: t for t in report.tracks}
    assert {source: t["name"] for source, t in by_source.items()} == {
        "a-2.wav": "a-2", "a.wav": "a.wav", "a.flac": "a.flac",
    }
    for source, seconds in (("a-2.wav", 3), ("a.wav", 4), ("a.flac", 5)):
        entry = by_source[source]
        assert entry["folder"] == str(tmp_path / "out" / entry["name"])
        segments = pd.read_csv(Path(entry["folder"]) / "segments.csv")
        assert segments["end"].iloc[-1] == pytest.approx(seconds, abs=0.05)
    saved = json.loads((tmp_path / "out" / "report.json").read_text())
    assert {t["source"]: t["folder"] for t in saved["tracks"]} == {
        t["source"]: t["folder"] for t in report.tracks
    }


def test_a_failed_track_makes_the_command_exit_1_and_is_listed_in_the_json(
    tracks: dict[str, Path], tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mirloop.cli.main import main

    args = ["loop", str(tracks["broken"]), str(tracks["short"]), "-o", str(tmp_path)]
    args += ["--model", str(tiny_model), "--renders", "0", "--descriptors", "0"]
    args += ["--no-separation", "--no-audio", "--json"]

    status = main(args)

    captured = capsys.readouterr()
    assert status == 1
    data = json.loads(captured.out)
    (failed,) = data["failed_tracks"]
    assert failed["source"] == str(tracks["broken"]) and "not a recognised audio file" in failed["error"]
    assert [t["ok"] for t in data["tracks"]] == [False, True]
    assert "error: 1 of 2 track(s) and 0 render(s) failed" in captured.err
    assert json.loads((tmp_path / "report.json").read_text())["failed_tracks"] == data["failed_tracks"]


def test_a_damaged_model_is_refused_before_any_track(
    tracks: dict[str, Path], tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from mirloop.cli.main import main

    damaged = tmp_path / "model"
    shutil.copytree(tiny_model, damaged)
    arrays = damaged / "arrays.npz"
    arrays.write_bytes(arrays.read_bytes()[:-100] + bytes(100))

    status = main(["loop", str(tracks["short"]), "-o", str(tmp_path / "out"), "--model", str(damaged),
                   "--renders", "0", "--descriptors", "0", "--no-separation", "--no-audio"])

    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1 and "arrays.npz" in err
    assert not (tmp_path / "out" / "short").exists()
