"""evaluate-real on renders whose answers are known: every score follows from the answers exactly."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest

import mirloop
from mirloop.cli.main import main
from mirloop.config import load_config
from mirloop.evaluation.coarse_genres import load_coarse_genres
from mirloop.evaluation.real_manifest import read_manifest
from mirloop.evaluation.real_music import OUTPUT_FILES, evaluate_real
from mirloop.plugins import Registry
from tests.evaluation.conftest import write_manifest

LEVEL = {"features": {"backend": "level"}, "classifier": {"backend": "by-level"}}


def _rows() -> list[dict[str, str]]:
    """Loud renders are heard as rock, quiet ones as ambient (see level_backends)."""
    return [
        {"track_id": "rock-loud", "path": "rock_classic_driving.flac", "coarse_label": "rock"},
        {"track_id": "ambient-quiet", "path": "ambient_chill_floating-quiet.flac", "coarse_label": "ambient"},
        {"track_id": "ambient-loud", "path": "ambient_chill_floating.flac", "coarse_label": "ambient"},
        {"track_id": "metal-loud", "path": "rock_classic_driving.flac", "coarse_label": "metal"},
        {
            "track_id": "country-quiet",
            "path": "rock_classic_driving-quiet.flac",
            "coarse_label": "country",
            "kind": "score-render",
        },
        {"track_id": "pop-missing", "path": "not-rendered.flac", "coarse_label": "pop"},
        {"track_id": "unlabelled", "path": "rock_classic_driving.flac", "coarse_label": ""},
    ]


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    return write_manifest(tmp_path / "manifest.csv", _rows())


def test_agreement_confusion_and_spread_follow_from_the_answers(
    level_registry: Registry, renders: dict[str, Path], manifest: Path
) -> None:
    coarse = load_coarse_genres()
    table = read_manifest(manifest, coarse=coarse, root=renders["rock_classic_driving"].parent)

    evaluation = evaluate_real(table, load_config(LEVEL), coarse=coarse, n_boot=200)

    answers = {r.track.track_id: r.genre for r in evaluation.results}
    assert answers == {
        "rock-loud": "rock",
        "ambient-quiet": "ambient",
        "ambient-loud": "rock",
        "metal-loud": "rock",
        "country-quiet": "ambient",
        "pop-missing": "",
    }
    summary = evaluation.to_dict()
    assert summary["n_selected"] == 6 and summary["n_scored"] == 5 and summary["n_unlabelled"] == 1
    assert [f["track_id"] for f in summary["failures"]] == ["pop-missing"]
    assert "does not exist" in summary["failures"][0]["error"]
    # rock, ambient-quiet and metal (rock accepted) agree; ambient heard as rock and country as ambient do not
    assert summary["agreement"]["agreed"] == 3 and summary["agreement"]["agreement"] == pytest.approx(0.6)
    assert summary["recording_agreement"]["n"] == 4 and summary["recording_agreement"]["agreed"] == 3
    assert {label: (a["agreed"], a["n"]) for label, a in summary["per_label"].items()} == {
        "rock": (1, 1),
        "metal": (1, 1),
        "ambient": (1, 2),
        "country": (0, 1),
    }
    assert summary["unknown_rate"] == 0.0
    confusion = summary["confusion"]
    assert confusion["columns"][-1] == "unknown" and len(confusion["columns"]) == 10
    rows = {
        label: dict(zip(confusion["columns"], counts))
        for label, counts in zip(confusion["rows"], confusion["counts"])
    }
    assert (
        rows["ambient"]["ambient"] == 1 and rows["ambient"]["rock"] == 1 and rows["country"]["ambient"] == 1
    )
    assert sum(map(sum, confusion["counts"])) == 5
    spread = summary["genre_spread"]
    assert spread["distinct"] == 2 and spread["top_counts"] == [["rock", 3], ["ambient", 2]]
    assert spread["entropy"] == pytest.approx(-(0.6 * math.log2(0.6) + 0.4 * math.log2(0.4)))
    assert summary["descriptor_spread"]["top_counts"] == [
        ["rock_classic_driving", 3],
        ["ambient_chill_floating", 2],
    ]
    low, high = summary["agreement"]["ci_low"], summary["agreement"]["ci_high"]
    assert 0.0 <= low < 0.6 < high <= 1.0


def test_answers_below_the_open_set_threshold_count_as_unknown_and_never_agree(
    level_registry: Registry, renders: dict[str, Path], manifest: Path
) -> None:
    coarse = load_coarse_genres()
    table = read_manifest(manifest, coarse=coarse, root=renders["rock_classic_driving"].parent)
    config = load_config({**LEVEL, "classifier": {"backend": "by-level", "unknown_below": 0.85}})

    summary = evaluate_real(table, config, coarse=coarse, n_boot=50).to_dict()

    # loud tracks (0.8) turn unknown; the quiet ones (0.9) stay ambient: only ambient-quiet agrees
    assert summary["agreement"]["agreed"] == 1 and summary["unknown_rate"] == pytest.approx(3 / 5)
    assert summary["genre_spread"]["top_counts"] == [["unknown", 3], ["ambient", 2]]


def test_kinds_and_labels_select_the_tracks_scored(
    level_registry: Registry, renders: dict[str, Path], manifest: Path
) -> None:
    coarse = load_coarse_genres()
    table = read_manifest(manifest, coarse=coarse, root=renders["rock_classic_driving"].parent)

    only_ambient = evaluate_real(table, load_config(LEVEL), coarse=coarse, labels=("ambient",), n_boot=50)
    recordings = evaluate_real(table, load_config(LEVEL), coarse=coarse, kinds=("recording",), n_boot=50)

    assert [r.track.track_id for r in only_ambient.results] == ["ambient-quiet", "ambient-loud"]
    assert only_ambient.to_dict()["recording_agreement"] is None  # nothing but recordings
    assert "country-quiet" not in {r.track.track_id for r in recordings.results}


def _with_bases(path: Path, bases: dict[str, str]) -> Path:
    """``path``'s manifest with a ``label_basis`` column after the contract's (``bases`` by track id)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*rows[0], "label_basis"])
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {**row, "label_basis": bases.get(row["track_id"], "named" if row["coarse_label"] else "")}
            )
    return path


def test_basis_selects_the_tracks_scored_and_named_agreement_is_reported_beside_context(
    level_registry: Registry, renders: dict[str, Path], manifest: Path
) -> None:
    coarse = load_coarse_genres()
    _with_bases(manifest, {"ambient-quiet": "context", "ambient-loud": "context"})
    table = read_manifest(manifest, coarse=coarse, root=renders["rock_classic_driving"].parent)
    present = ("recording",)  # pop-missing has no audio; recordings with audio are enough here

    both = evaluate_real(table, load_config(LEVEL), coarse=coarse, kinds=present, n_boot=50)
    context = evaluate_real(table, load_config(LEVEL), coarse=coarse, bases=("context",), n_boot=50)

    assert [r.track.track_id for r in context.results] == ["ambient-quiet", "ambient-loud"]
    assert context.to_dict()["named_agreement"] is None and context.to_dict()["bases"] == ["context"]
    named = both.to_dict()["named_agreement"]  # rock-loud and metal-loud agree (rock), pop fails
    assert (named["agreed"], named["n"]) == (2, 2)
    assert both.to_dict()["agreement"]["n"] == 4
    tracks = list(csv.DictReader(io.StringIO(both.tracks_csv())))
    assert {t["track_id"]: t["label_basis"] for t in tracks}["ambient-loud"] == "context"


def test_basis_on_a_manifest_without_the_column_is_one_clear_error(
    level_registry: Registry, renders: dict[str, Path], manifest: Path
) -> None:
    from mirloop.errors import DatasetError

    coarse = load_coarse_genres()
    table = read_manifest(manifest, coarse=coarse, root=renders["rock_classic_driving"].parent)

    with pytest.raises(DatasetError, match=r"has no label_basis column .*; drop --basis"):
        evaluate_real(table, load_config(LEVEL), coarse=coarse, bases=("named",), n_boot=10)


def test_the_command_writes_every_file_and_fails_at_the_end_for_a_missing_track(
    level_registry: Registry,
    renders: dict[str, Path],
    manifest: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    code = main(
        [
            "evaluate-real",
            str(manifest),
            "--root",
            str(renders["rock_classic_driving"].parent),
            "-o",
            str(out),
            "--use",
            "features=level",
            "--use",
            "classifier=by-level",
            "--bootstrap",
            "100",
        ]
    )

    captured = capsys.readouterr()
    assert code == 1  # some tracks failed, like every batch command
    assert "1 of 6 track(s) could not be analysed (pop-missing)" in captured.err
    assert "[6/6] pop-missing" in captured.err and "FAILED" in captured.err  # progress, one line a track
    assert "genre agreement     3/5 = 0.600" in captured.out
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["backends"]["classifier"] == "by-level" and summary["model"] is None
    assert summary["bootstrap"] == {"resamples": 100, "level": 0.95, "seed": 0}
    tracks = list(csv.DictReader(io.StringIO((out / "tracks.csv").read_text())))
    metal = next(t for t in tracks if t["track_id"] == "metal-loud")
    assert (metal["predicted_genre"], metal["genre_probability"], metal["agreed"]) == (
        "rock",
        "0.8000",
        "yes",
    )
    assert (metal["genre_2"], metal["probability_2"], metal["genre_3"]) == ("ambient", "0.2000", "")
    assert next(t for t in tracks if t["track_id"] == "pop-missing")["error"]
    confusion = list(csv.reader(io.StringIO((out / "confusion.csv").read_text())))
    assert confusion[0][0] == "coarse_label" and confusion[0][-1] == "unknown"
    assert [row[0] for row in confusion[1:]] == ["rock", "metal", "ambient", "country"]
    assert (out / "confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_shipped_model_is_scored_on_exactly_its_classify_answers(
    renders: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {"track_id": "rock", "path": "rock_classic_driving.flac", "coarse_label": "rock"},
        {"track_id": "ambient", "path": "ambient_chill_floating.flac", "coarse_label": "ambient"},
        {"track_id": "ambient-quiet", "path": "ambient_chill_floating-quiet.flac", "coarse_label": "ambient"},
    ]
    manifest = write_manifest(tmp_path / "manifest.csv", rows)
    root = renders["rock_classic_driving"].parent
    out = tmp_path / "out"

    assert main(["evaluate-real", str(manifest), "--root", str(root), "-o", str(out), "--json"]) == 0

    summary = json.loads(capsys.readouterr().out)
    assert summary["backends"] == {"separator": "none", "features": "librosa", "classifier": "mlp"}
    assert summary["model"].endswith("default")
    coarse = load_coarse_genres()
    config = {
        "tempo": {"backend": "none"},
        "key": {"backend": "none"},
        "segmenter": {"backend": "none"},
        "classifier": {"backend": "mlp"},
    }
    expected = []
    for row in rows:
        prediction = mirloop.analyze(root / row["path"], config=config).prediction
        assert prediction is not None
        expected.append(coarse.agrees(row["coarse_label"], prediction["genre"].track_label))
    assert summary["agreement"]["agreed"] == sum(expected) and summary["agreement"]["n"] == 3


def test_a_model_for_other_feature_options_is_refused_before_any_track_is_read(
    renders: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = write_manifest(
        tmp_path / "manifest.csv",
        [{"track_id": "rock", "path": "rock_classic_driving.flac", "coarse_label": "rock"}],
    )
    root = str(renders["rock_classic_driving"].parent)

    code = main(
        [
            "evaluate-real",
            str(manifest),
            "--root",
            root,
            "-o",
            str(tmp_path / "out"),
            "--set",
            "features.key_profile=krumhansl",
        ]
    )

    captured = capsys.readouterr()
    assert code == 2
    assert "feature options ['key_profile'] differ" in captured.err and "[1/1]" not in captured.err
    assert not (tmp_path / "out").exists()


def test_a_classifier_without_a_genre_is_reported_per_track(
    level_registry: Registry, renders: dict[str, Path], manifest: Path
) -> None:
    coarse = load_coarse_genres()
    table = read_manifest(manifest, coarse=coarse, root=renders["rock_classic_driving"].parent)
    config = load_config({"features": {"backend": "level"}, "classifier": {"backend": "mood-only"}})

    evaluation = evaluate_real(table, config, coarse=coarse, labels=("rock",), n_boot=10)

    (failure,) = evaluation.failures
    assert failure.error == "the classifier 'mood-only' gives no genre; choose one that does"
