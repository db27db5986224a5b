"""Dataset generation: every planned render once, atomically, and a killed run resumes cleanly."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jams
import numpy as np
import pandas as pd
import pytest

from mirloop.catalog import load_catalog
from mirloop.classify.feature_table import DatasetInfo, read_table
from mirloop.dataset.generate import GenerationReport, generate_dataset, pick_descriptors
from mirloop.dataset.layout import DatasetLayout
from mirloop.dataset.manifest import ManifestRow
from mirloop.dataset.plan import plan_job, plan_jobs
from mirloop.errors import DatasetError
from tests.dataset.conftest import TINY

# jams validates with a jsonschema API that now warns on every file it saves
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema.*")


def test_a_run_stores_audio_timeline_truth_and_features_for_every_render(
    tiny_dataset: tuple[Path, GenerationReport],
) -> None:
    root, report = tiny_dataset
    assert (report.planned, report.made, report.failures, report.collected) == (4, 4, (), True)
    manifest = pd.read_parquet(root / "manifest.parquet")
    table = read_table(root)
    assert sorted(manifest["render_id"]) == sorted(set(table["render_id"]))
    layout = DatasetLayout(root)
    for render_id in manifest["render_id"]:
        assert layout.audio(render_id).stat().st_size > 0
        timeline = json.loads(layout.timeline(render_id).read_text())
        assert timeline["timeline"]["spans"][0]["actions"][0]["add_region"]["descriptor"] in render_id
        truth = json.loads(layout.jams(render_id).read_text())
        assert {a["namespace"] for a in truth["annotations"]} >= {"tempo", "segment_open", "tag_open"}
        jams.load(str(layout.jams(render_id)), validate=True, strict=True)  # written without re-validating
    assert {"genre", "subgenre", "mood", "sentiment", "valence", "momentum", "pca_1", "pca_input_000"} <= set(
        table.columns
    )
    info = DatasetInfo.read(root)
    assert info.feature_backend == "librosa" and info.catalog_version == load_catalog().version


def test_jobs_depend_only_on_the_seed_and_their_identity() -> None:
    catalog = load_catalog()
    some = pick_descriptors(list(catalog), 3)
    assert len({d.genre for d in some}) == 3  # spread over the catalog
    jobs = plan_jobs(some, per_descriptor=2, durations=[10.0, 30.0], seed=5)
    assert len(jobs) == 12 and len({j.render_id for j in jobs}) == 12
    assert plan_job(some[1], 30.0, 1, 5) in jobs
    low, high = some[0].style.tempo_range
    assert all(low <= j.tempo <= high for j in jobs if j.descriptor == some[0].name)
    assert plan_job(some[0], 10.0, 0, 6) != plan_job(some[0], 10.0, 0, 5)


class Interrupt(Exception):
    """Stands in for the process being killed."""


def test_an_interrupted_run_resumes_without_losing_or_duplicating_renders(
    tiny_dataset: tuple[Path, GenerationReport], tmp_path: Path
) -> None:
    root = tmp_path / "data"
    made: list[str] = []

    def stop_after_two(row: ManifestRow) -> None:
        made.append(row.render_id)
        if len(made) == 2:
            raise Interrupt

    with pytest.raises(Interrupt):
        generate_dataset(root, on_done=stop_after_two, **TINY)  # type: ignore[arg-type]
    assert not (root / "features.parquet").exists()
    (root / "renders" / ".half-written.ogg.abc.tmp.ogg").write_bytes(b"partial")  # left by a kill

    resumed = generate_dataset(root, **TINY)  # type: ignore[arg-type]
    assert (resumed.already_done, resumed.made, resumed.collected) == (2, 2, True)
    assert not set(made) & {row.render_id for row in resumed.rows}
    table = read_table(root)
    assert len(table) == len(table.drop_duplicates(["render_id", "window"]))
    assert sorted(set(table["render_id"])) == sorted(
        pd.read_parquet(tiny_dataset[0] / "manifest.parquet")["render_id"]
    )
    assert not list((root / "renders").glob(".*tmp*"))
    # the same seed gives the same renders as the uninterrupted run
    reference = read_table(tiny_dataset[0]).sort_values(["render_id", "window"]).reset_index(drop=True)
    again = table.sort_values(["render_id", "window"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(reference, again)


def test_damaged_or_missing_files_are_found_and_only_those_renders_redone(
    tiny_dataset: tuple[Path, GenerationReport], tmp_path: Path
) -> None:
    root = tmp_path / "data"
    shutil.copytree(tiny_dataset[0], root)
    ids = sorted(pd.read_parquet(root / "manifest.parquet")["render_id"])
    layout = DatasetLayout(root)
    truncated = layout.features(ids[0]).read_bytes()[:100]
    layout.features(ids[0]).write_bytes(truncated)
    layout.audio(ids[1]).unlink()
    report = generate_dataset(root, **TINY)  # type: ignore[arg-type]
    assert sorted(row.render_id for row in report.rows) == ids[:2]
    assert report.already_done == 2 and len(read_table(root)) == len(read_table(tiny_dataset[0]))


def test_resuming_with_other_settings_is_refused(
    tiny_dataset: tuple[Path, GenerationReport], tmp_path: Path
) -> None:
    root = tmp_path / "data"
    shutil.copytree(tiny_dataset[0], root)
    with pytest.raises(DatasetError, match="seed: 0 in the folder vs 1 now"):
        generate_dataset(root, **{**TINY, "seed": 1})  # type: ignore[arg-type]


def test_a_dataset_grows_with_more_renders_per_descriptor_and_keeps_those_it_has(
    tiny_dataset: tuple[Path, GenerationReport], tmp_path: Path
) -> None:
    root = tmp_path / "data"
    small = {**TINY, "per_descriptor": 1}
    generate_dataset(root, **small)  # type: ignore[arg-type]
    first = {p.name: p.stat().st_mtime_ns for p in (root / "renders").iterdir()}
    grown = generate_dataset(root, **TINY)  # type: ignore[arg-type]
    assert (grown.already_done, grown.made, grown.collected) == (2, 2, True)
    assert all((root / "renders" / name).stat().st_mtime_ns == t for name, t in first.items())
    assert DatasetInfo.read(root).generation["per_descriptor"] == TINY["per_descriptor"]
    # the grown dataset is the one made at that size in one go
    reference = read_table(tiny_dataset[0]).sort_values(["render_id", "window"]).reset_index(drop=True)
    again = read_table(root).sort_values(["render_id", "window"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(reference, again)
    with pytest.raises(DatasetError, match=r"holds 2 renders per descriptor .* --per-descriptor 2 or more"):
        generate_dataset(root, **small)  # type: ignore[arg-type]


def test_only_picks_descriptors_by_glob_and_says_when_none_matches() -> None:
    catalog = list(load_catalog())
    chosen = pick_descriptors(catalog, None, ["pop_*", "*_dark"])
    assert chosen and all(d.genre == "pop" or d.mood == "dark" for d in chosen)
    assert {d.name for d in chosen} >= {"pop_synth_happy", "ambient_drone_dark"}
    assert len(pick_descriptors(catalog, 2, ["pop_*"])) == 2
    with pytest.raises(DatasetError, match="no descriptor matches popp_"):
        pick_descriptors(catalog, None, ["popp_*"])


def test_renders_are_made_at_the_requested_rate_and_a_resume_must_keep_it(tmp_path: Path) -> None:
    import soundfile as sf

    root = tmp_path / "d"
    settings = {**TINY, "per_descriptor": 1, "limit_descriptors": None, "only": ["rock_indie_sad"]}
    report = generate_dataset(root, **settings, sr=16000, store="render")  # type: ignore[arg-type]
    assert report.made == 1 and report.collected
    manifest = pd.read_parquet(root / "manifest.parquet")
    assert manifest["sr"].tolist() == [16000] and manifest["audio_sr"].tolist() == [16000]
    assert sf.info(str(root / manifest["audio"].iloc[0])).samplerate == 16000
    assert DatasetInfo.read(root).generation["only"] == ["rock_indie_sad"]
    with pytest.raises(DatasetError, match="sr: 16000 in the folder vs 44100 now"):
        generate_dataset(root, **settings, store="render")  # type: ignore[arg-type]
    with pytest.raises(DatasetError, match="store: 'render' in the folder vs 'analysis' now"):
        generate_dataset(root, **settings, sr=16000)  # type: ignore[arg-type]
    with pytest.raises(DatasetError, match="8000–192000 Hz"):
        generate_dataset(tmp_path / "e", **settings, sr=4000)  # type: ignore[arg-type]


def test_a_randomised_dataset_records_each_renders_chain_and_a_resume_must_keep_the_mode(
    tiny_dataset: tuple[Path, GenerationReport], tmp_path: Path
) -> None:
    from mirloop.renderer.randomize import ChainParams, draw_chain

    root = tmp_path / "d"
    settings = {**TINY, "per_descriptor": 2, "limit_descriptors": None, "only": ["rock_indie_sad"]}
    report = generate_dataset(root, **settings, sr=22050, randomize="mix")  # type: ignore[arg-type]
    assert report.made == 2 and report.collected
    manifest = pd.read_parquet(root / "manifest.parquet")
    layout = DatasetLayout(root)
    chains = []
    for _, row in manifest.iterrows():
        recorded = ChainParams.from_dict({k: v for k, v in row.items() if k.startswith("aug_")})
        assert recorded == draw_chain(int(row["seed"]), "mix")
        sandbox = json.loads(layout.jams(row["render_id"]).read_text())["sandbox"]["mirloop"]
        assert ChainParams.from_dict(sandbox["augmentation"]) == recorded
        chains.append(recorded)
    assert chains[0] != chains[1]
    assert DatasetInfo.read(root).generation["randomize"] == "mix"
    with pytest.raises(DatasetError, match="randomize: 'mix' in the folder vs 'none' now"):
        generate_dataset(root, **settings, sr=22050)  # type: ignore[arg-type]
    with pytest.raises(DatasetError, match="none, mix, full"):
        generate_dataset(tmp_path / "e", **settings, randomize="heavy")  # type: ignore[arg-type]
    plain = pd.read_parquet(tiny_dataset[0] / "manifest.parquet")
    assert not any(c.startswith("aug_") for c in plain.columns)


@pytest.mark.parametrize("audio_format", ["flac", "ogg"])
def test_the_stored_analysis_signal_gives_back_the_tables_features(tmp_path: Path, audio_format: str) -> None:
    """By default a render is kept as the signal the features are computed from: mono, 22050 Hz."""
    import numpy as np
    import soundfile as sf

    from mirloop.config import load_config
    from mirloop.pipelines.analyze import analyze_file

    settings = {**TINY, "per_descriptor": 1, "limit_descriptors": None, "only": ["pop_synth_uplifting"]}
    generate_dataset(tmp_path / "d", **settings, audio_format=audio_format)  # type: ignore[arg-type]
    manifest = pd.read_parquet(tmp_path / "d" / "manifest.parquet")
    path = tmp_path / "d" / manifest["audio"].iloc[0]
    info = sf.info(str(path))
    assert (info.samplerate, info.channels) == (22050, 1)
    assert manifest["sr"].tolist() == [44100] and manifest["audio_sr"].tolist() == [22050]
    off = {stage: {"backend": "none"} for stage in ("separator", "tempo", "key", "segmenter", "classifier")}
    again = analyze_file(path, config=load_config(off)).analysis.features
    assert again is not None
    table = read_table(tmp_path / "d")
    np.testing.assert_allclose(table[list(again.names)].to_numpy(), again.values, rtol=1e-5, atol=1e-5)


def test_the_generate_command_reports_its_rate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mirloop.cli.main import main

    args = [
        "dataset",
        "generate",
        "-o",
        str(tmp_path / "d"),
        "--limit-descriptors",
        "1",
        "--per-descriptor",
        "1",
        "--durations",
        "3",
        "--workers",
        "1",
        "--no-progress",
        "--json",
    ]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["made"], report["collected"]) == (1, True)
    assert report["renders_per_second"] > 0 and report["real_time_factor"] > 0
    assert main(args) == 0  # a finished dataset is left as it is
    assert json.loads(capsys.readouterr().out)["already_done"] == 1
    from mirloop.dataset.generate import read_build_log

    (run,) = read_build_log(tmp_path / "d")  # only the run that made renders is logged
    assert run["renders"] == 1 and run["audio_seconds"] == 3.0 and run["wall_seconds"] > 0


def test_the_generate_command_randomises_full_and_names_the_fonts_it_draws_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mirloop.cli.main import main
    from mirloop.renderer.soundfont import installed_soundfonts

    root = tmp_path / "d"
    args = ["dataset", "generate", "-o", str(root), "--only", "rock_indie_sad", "--per-descriptor", "1",
            "--durations", "3", "--workers", "1", "--no-progress", "--randomize", "full"]
    assert main(args) == 0
    assert f"sound fonts drawn from: {', '.join(installed_soundfonts()[0])}" in capsys.readouterr().err
    assert DatasetInfo.read(root).generation["randomize"] == "full"
    row = pd.read_parquet(root / "manifest.parquet").iloc[0]
    assert row["aug_mode"] == "full" and row["aug_codec"] in ("mp3", "ogg")
    assert row["aug_soundfont"] in installed_soundfonts()[0]


def test_a_minute_of_stereo_vorbis_is_written_without_crashing_the_encoder(tmp_path: Path) -> None:
    import numpy as np
    import soundfile as sf

    from mirloop.io.audio_out import write_audio_file

    samples = (np.random.default_rng(0).standard_normal((60 * 44100, 2)) * 0.1).astype(np.float32)
    write_audio_file(tmp_path / "minute.ogg", samples, 44100)
    assert sf.info(str(tmp_path / "minute.ogg")).frames == len(samples)


def test_a_render_heard_as_stored_gives_exactly_the_features_of_the_dataset(tmp_path: Path) -> None:
    # the loop classifies its renders through stored_analysis_audio: it must see what training saw
    from mirloop.dataset.render_job import analysis_config, single_region_timeline, stored_analysis_audio
    from mirloop.pipelines.analyze import analyze_samples
    from mirloop.renderer import render
    from mirloop.timeline.document import Timeline

    name = "ambient_chill_idle"  # quiet: the 16-bit noise floor matters most here
    generate_dataset(
        tmp_path / "data", per_descriptor=1, durations=[12.0], only=[name], audio_format="flac",
        workers=1, progress=False, seed=3,
    )
    stored = pd.read_parquet(tmp_path / "data" / "features.parquet")
    job = plan_job(load_catalog()[name], 12.0, 0, 3)
    audio = render(Timeline.from_json(single_region_timeline(job)), seed=job.seed).audio
    config = analysis_config({})
    features = analyze_samples(stored_analysis_audio(audio), config=config).analysis.features
    assert features is not None
    expected = stored[list(features.names)].to_numpy()
    np.testing.assert_allclose(features.values, expected, rtol=1e-5, atol=1e-6)
    # the float render itself is heard differently
    direct = analyze_samples(audio, config=config).analysis.features
    assert direct is not None and not np.allclose(direct.values, expected, rtol=1e-3, atol=1e-4)


def test_a_failed_render_is_listed_and_the_command_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mirloop.cli.main import main

    root = tmp_path / "d"
    blocked = root / "renders" / "rock_indie_driving-3s-001.ogg"
    blocked.mkdir(parents=True)  # a folder where the render's audio file must go
    (blocked / "keep.txt").write_text("not mirloop's")
    args = ["dataset", "generate", "-o", str(root), "--only", "rock_indie_driving", "--per-descriptor", "2"]
    args += ["--durations", "3", "--workers", "1", "--no-progress", "--json"]

    status = main(args)

    captured = capsys.readouterr()
    assert status == 1
    report = json.loads(captured.out)
    assert report["made"] == 1
    assert [f["render_id"] for f in report["failed"]] == ["rock_indie_driving-3s-001"]
    assert "failed: rock_indie_driving-3s-001" in captured.err
    assert "error: 1 render(s) failed; rerun the same command to retry them" in captured.err
    assert (blocked / "keep.txt").read_text() == "not mirloop's"


def test_a_worker_that_dies_costs_only_its_render(tmp_path: Path) -> None:
    from tests.dataset.runners import DOOMED, dies_on_the_second_render

    report = generate_dataset(
        tmp_path / "d", only=["rock_indie_driving"], per_descriptor=3, durations=[3.0], workers=2,
        runner=dies_on_the_second_render, progress=False,
    )

    assert report.made == 2 and not report.collected
    (failure,) = report.failures
    assert failure.render_id == DOOMED
    assert failure.error == "worker process died (exit status 70) on 2 attempt(s)"
