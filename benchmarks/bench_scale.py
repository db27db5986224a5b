"""Scaling the per-track batches: throughput from 1 to 2 workers, and the Dask executor's
per-task cost against local processes, for dataset renders and for track analysis.

Every configuration (local processes or a ``local:N`` Dask cluster, 1 or 2 workers) first runs a
warm-up batch, then a batch of ``n`` tasks and one of ``2n``; the **per-task time** is the
difference of the two wall times over ``n``, so what a batch pays once (spawning local workers,
the Dask workers' first imports) cancels out and the figure is the marginal wall time of one
more task. From it:

- throughput scaling = per-task time with 1 worker / with 2 workers (goal ≥ 1.8×);
- Dask overhead = per-task time on Dask / on local processes, minus 1, same worker count
  (goal ≤ 10 %);
- core-seconds per task = per-task time × workers, the figure ``docs/scale.md`` projects costs from.

Usage: ``python benchmarks/bench_scale.py [--tracks N] [--renders M] [--json] [--check]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# importing tracks pins the numerical libraries to one thread (nothing above loads numpy)
from tracks import DEFAULT_CLIPS, blocks, clip_files, write_wav

#: Seconds of each analysed track (the length of an FMA clip).
TRACK_SECONDS = 30.0
#: Render durations, as ``dataset generate`` draws them by default.
RENDER_DURATIONS = (10.0, 30.0, 60.0)
#: Descriptors the renders are spread over.
RENDER_DESCRIPTORS = 2
CONFIGURATIONS = (("local", 1), ("local", 2), ("dask", 1), ("dask", 2))


def open_executor(kind: str, workers: int) -> Any:
    from mirloop.executors import LocalExecutor
    from mirloop.executors.dask import DaskExecutor

    return LocalExecutor(workers) if kind == "local" else DaskExecutor(f"local:{workers}")


def make_tracks(folder: Path, count: int) -> list[Path]:
    """``count`` WAV files of :data:`TRACK_SECONDS`, each starting from another clip."""
    clips = clip_files(DEFAULT_CLIPS)
    folder.mkdir(parents=True)
    made = []
    for index in range(count):
        rotated = clips[index % len(clips):] + clips[: index % len(clips)] if clips else []
        path = folder / f"track-{index:03d}.wav"
        write_wav(path, blocks(rotated, TRACK_SECONDS))
        made.append(path)
    return made


def analysis_batch(executor: Any, inputs: list[Path], work: Path) -> float:
    """Wall seconds of ``mirloop analyze`` over ``inputs`` (no figures) on ``executor``."""
    from mirloop.pipelines.batch import analyze_tracks

    out = Path(tempfile.mkdtemp(dir=work))
    started = time.perf_counter()
    reports = analyze_tracks(inputs, out, executor=executor, figure=False)
    wall = time.perf_counter() - started
    assert all(report.ok for report in reports), [r.error for r in reports if not r.ok]
    shutil.rmtree(out)
    return wall


def render_batch(executor: Any, per_descriptor: int, work: Path, seed: int) -> float:
    """Wall seconds of ``dataset generate`` making ``per_descriptor`` renders of each duration of
    :data:`RENDER_DESCRIPTORS` descriptors (fresh folder, so nothing is skipped)."""
    from mirloop.dataset.generate import generate_dataset

    out = Path(tempfile.mkdtemp(dir=work))
    report = generate_dataset(out, per_descriptor=per_descriptor, durations=RENDER_DURATIONS, seed=seed,
                              limit_descriptors=RENDER_DESCRIPTORS, executor=executor, progress=False)
    assert not report.failures, report.failures
    shutil.rmtree(out)
    return report.wall_seconds


def per_task(batch: Callable[[int], float], n: int) -> dict[str, float]:
    """Warm up with ``n`` tasks, time ``n`` and ``2n``: the marginal wall seconds per task."""
    batch(n)
    single, double = batch(n), batch(2 * n)
    return {"n": n, "wall_n": single, "wall_2n": double, "per_task": max(double - single, 1e-9) / n}


def _batch(workload: str, executor: Any, inputs: list[Path], work: Path) -> Callable[[int], float]:
    """A batch of ``k`` tasks of ``workload`` on ``executor`` (each render batch with new seeds)."""
    if workload == "analysis":
        return lambda k: analysis_batch(executor, inputs[:k], work)
    seeds = iter(range(1000))
    per_render = len(RENDER_DURATIONS) * RENDER_DESCRIPTORS
    return lambda k: render_batch(executor, k // per_render, work, next(seeds))


def measure(workload: str, n: int, work: Path) -> dict[str, Any]:
    inputs = make_tracks(work / "tracks", 2 * n) if workload == "analysis" else []
    results: dict[str, Any] = {}
    for kind, workers in CONFIGURATIONS:
        executor = open_executor(kind, workers)
        try:
            figures = per_task(_batch(workload, executor, inputs, work), n)
        finally:
            executor.close()
        figures["core_seconds_per_task"] = figures["per_task"] * workers
        results[f"{kind}-{workers}"] = figures
        print(f"  {workload:8} {kind}-{workers}: {figures['per_task']:.3f} s per task "
              f"(n={n}: {figures['wall_n']:.1f} s, 2n: {figures['wall_2n']:.1f} s)", file=sys.stderr)
    ratios = {
        "scaling_local": results["local-1"]["per_task"] / results["local-2"]["per_task"],
        "scaling_dask": results["dask-1"]["per_task"] / results["dask-2"]["per_task"],
        "dask_overhead_1": results["dask-1"]["per_task"] / results["local-1"]["per_task"] - 1,
        "dask_overhead_2": results["dask-2"]["per_task"] / results["local-2"]["per_task"] - 1,
    }
    return {"configurations": results, "ratios": ratios}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", type=int, default=6, help="n for the analysis batches (30-s tracks)")
    parser.add_argument("--renders", type=int, default=12,
                        help="n for the render batches (a multiple of 6: 2 descriptors x 3 durations)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mirloop-bench-scale-") as folder:
        work = Path(folder)
        figures = {
            "analysis": measure("analysis", args.tracks, work),
            "renders": measure("renders", args.renders, work),
        }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"{'workload':10} {'1→2 local':>10} {'1→2 dask':>10} {'dask/local 1w':>14} "
              f"{'dask/local 2w':>14} {'core-s/task':>12}")
        for workload, result in figures.items():
            r = result["ratios"]
            core = result["configurations"]["dask-2"]["core_seconds_per_task"]
            print(f"{workload:10} {r['scaling_local']:>9.2f}× {r['scaling_dask']:>9.2f}× "
                  f"{r['dask_overhead_1']:>+13.1%} {r['dask_overhead_2']:>+13.1%} {core:>12.3f}")
        print("goals: 1→2 workers ≥ 1.80×; Dask per-task overhead ≤ +10.0 %")
    missed = [
        f"{workload}: {name} {value:.3f}"
        for workload, result in figures.items()
        for name, value in result["ratios"].items()
        if (name.startswith("scaling") and value < 1.8) or (name.startswith("dask_overhead") and value > 0.10)
    ]
    for line in missed:
        print(f"goal missed: {line}", file=sys.stderr)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
