"""``benchmarks/bench_annotated.py``: each backend's distance from the goals, and the best backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks.bench_annotated import GOALS, Result, best, goal_table, main

TEMPO = GOALS[0]  # compositions, tempo: Acc1 ≥ 0.90, Acc2 ≥ 0.97


def tempo_result(backend: str, acc1: float, acc2: float, speed: float) -> Result:
    return Result("compositions", "tempo", backend, 160, 0, {"acc1": acc1, "acc2": acc2}, speed)


def test_the_best_backend_scores_highest_and_a_tie_goes_to_the_faster_one() -> None:
    slow = tempo_result("slow", 0.75, 0.94, 2.0)
    fast = tempo_result("fast", 0.75, 0.94, 0.1)
    behind = tempo_result("behind", 0.70, 0.99, 0.01)
    assert best([slow, fast, behind], TEMPO) is fast
    assert best([slow, tempo_result("sharper", 0.75, 0.95, 9.0)], TEMPO).backend == "sharper"  # type: ignore[union-attr]
    assert best([Result("compositions", "tempo", "broken", error="ImportError: x")], TEMPO) is None


def test_the_table_gives_each_score_its_distance_from_the_goal() -> None:
    lines = goal_table(TEMPO, [tempo_result("librosa", 0.656, 0.944, 0.14)])
    row = next(line for line in lines if line.startswith("| `librosa`"))
    assert [c.strip() for c in row.strip("|").split("|")] == [
        "`librosa`", "160", "0.656", "0.944", "-0.244", "-0.026", "0.14",
    ]  # fmt: skip
    assert lines[-2] == "best: `librosa` (short of the goal)"
    forms = next(g for g in GOALS if g.subset == "forms")
    lines = goal_table(
        forms, [Result("forms", "segmenter", "laplacian", 60, 0, {"f_0.5s": 0.1, "f_3s": 0.2}, 0.2)]
    )
    assert "− goal" not in lines[2] and lines[-2] == "best: `laplacian` (no goal)"


def test_a_folder_without_the_sets_is_refused_with_the_command_that_builds_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path), "--only", "modules"]) == 2
    assert "make annotated-dev" in capsys.readouterr().err


def test_a_run_scores_the_installed_backend_on_the_set_and_draws_the_goals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import soundfile as sf
    from devsets.annotated.annotation import annotation_bytes

    from mirloop.testing.signals import drum_pattern

    modules = tmp_path / "modules"
    modules.mkdir()
    for bpm in (100.0, 128.0):
        audio = drum_pattern(bpm, 16.0)
        sf.write(modules / f"groove_{bpm:g}.wav", audio.samples, audio.sr)
        (modules / f"groove_{bpm:g}.jams").write_bytes(annotation_bytes(title="g", duration=16.0, tempo=bpm))

    figure = tmp_path / "goals.png"
    argv = [
        str(tmp_path),
        "--only",
        "modules",
        "--backend",
        "librosa",
        "--workers",
        "1",
        "--figure",
        str(figure),
    ]
    assert main(argv) == 0

    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("| `librosa`"))
    assert [c.strip() for c in row.strip("|").split("|")][1:6] == ["2", "1.000", "1.000", "+0.200", "+0.050"]
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_check_exits_1_when_a_rows_best_backend_misses_its_goal(tmp_path: Path) -> None:
    import soundfile as sf
    from devsets.annotated.annotation import annotation_bytes

    from mirloop.testing.signals import drum_pattern

    modules = tmp_path / "modules"
    modules.mkdir()
    audio = drum_pattern(100.0, 16.0)
    sf.write(modules / "groove.wav", audio.samples, audio.sr)
    argv = [str(tmp_path), "--only", "modules", "--backend", "librosa", "--workers", "1", "--check"]
    (modules / "groove.jams").write_bytes(annotation_bytes(title="g", duration=16.0, tempo=100.0))
    assert main(argv) == 0  # read right: the goal is met
    (modules / "groove.jams").write_bytes(annotation_bytes(title="g", duration=16.0, tempo=137.0))
    assert main(argv) == 1  # a reference no level of the groove matches: missed
