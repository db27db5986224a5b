"""The reports of ``dataset generate`` and ``dataset features``: one base, one JSON for what they share."""

from __future__ import annotations

from pathlib import Path

import attrs

from mirloop.dataset.generate import GenerationReport
from mirloop.dataset.jobs import JobFailure, JobsRun, RunReport
from mirloop.dataset.manifest import ManifestRow
from mirloop.dataset.refeature import RefeatureReport

SHARED = RunReport(
    root=Path("data/set"),
    planned=5,
    already_done=1,
    made=3,
    failures=(JobFailure("r4", "ValueError: bad", "Traceback …"),),
    wall_seconds=2.0,
    audio_seconds=30.0,
    feature_seconds=1.5,
    collected=False,
    workers=2,
)


def made_row(duration: float, feature_seconds: float) -> ManifestRow:
    """The manifest row of a render of ``duration`` seconds whose features took ``feature_seconds``."""
    labels = {"descriptor": "rock_indie_sad", "genre": "rock", "subgenre": "indie", "mood": "sad",
              "sentiment": "negative", "valence": 0, "momentum": 0}
    return ManifestRow(f"r{duration:g}", labels, duration, 120.0, "", "C", 1, 44100, 22050, 1,
                       f"renders/r{duration:g}.flac", 1.0, feature_seconds, 2.0, "librosa")


def _generated() -> dict[str, object]:
    return GenerationReport(**attrs.asdict(SHARED, recurse=False), render_seconds=4.0).to_dict()


def _refeatured() -> dict[str, object]:
    return RefeatureReport(**attrs.asdict(SHARED, recurse=False)).to_dict()


def test_the_shared_fields_serialise_the_same_in_both_reports() -> None:
    shared = SHARED.to_dict()

    assert shared["failed"] == [{"render_id": "r4", "error": "ValueError: bad"}]
    assert shared["root"] == "data/set"
    assert {key: _generated()[key] for key in shared} == shared
    assert {key: _refeatured()[key] for key in shared} == shared


def test_each_report_lists_its_keys_in_its_own_order() -> None:
    generated = _generated()

    assert list(generated) == [
        "root", "planned", "already_done", "made", "failed", "wall_seconds",
        "audio_seconds", "render_seconds", "feature_seconds", "renders_per_second", "real_time_factor",
        "workers", "collected",
    ]  # fmt: skip
    assert (generated["renders_per_second"], generated["real_time_factor"]) == (1.5, 15.0)
    assert list(_refeatured()) == [
        "root", "planned", "already_done", "made", "failed", "wall_seconds",
        "feature_seconds", "audio_seconds", "workers", "collected",
    ]  # fmt: skip


def test_rates_are_zero_when_no_time_has_passed() -> None:
    report = RefeatureReport(root=Path("x"), planned=1, already_done=1, made=0)

    assert (report.renders_per_second, report.real_time_factor) == (0.0, 0.0)


def test_a_report_of_a_run_sums_the_audio_and_feature_seconds_of_the_rows_made() -> None:
    rows = (made_row(5.0, 0.5), made_row(10.0, 1.0), made_row(15.0, 0.0))
    run = JobsRun(made=rows, failures=SHARED.failures, wall_seconds=2.0)

    report = RefeatureReport.of_run(
        run, root=Path("data/set"), planned=5, already_done=1, collected=False, workers=2
    )

    assert report == RefeatureReport(**attrs.asdict(SHARED, recurse=False))
    generated = GenerationReport.of_run(
        run,
        root=Path("x"),
        planned=3,
        already_done=0,
        collected=True,
        workers=1,
        render_seconds=4.0,
        rows=rows,
    )
    assert (generated.made, generated.render_seconds, generated.rows) == (3, 4.0, rows)
