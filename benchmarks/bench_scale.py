"""Scaling the per-track batches: throughput from 1 to 2 workers, and the Dask executor's
per-task cost against local processes, for dataset renders and for track analysis.

The configurations (local processes or a ``local:N`` Dask cluster, 1 or 2 workers; every one
runs its tasks in worker processes, one local worker too) take turns, ``--rounds`` times: each
opens its executor, runs a warm-up batch (the workers' first imports and models), a timed batch
of ``n`` tasks, and closes it, so that no other configuration's workers are up meanwhile (an idle
Dask cluster's heartbeats and monitors take about 5 % of a core, which a configuration that keeps
both cores busy would pay for and one worker would not). Each keeps its fastest wall time (the
round least disturbed by other work on the machine). With
``--fresh``, every batch of the local configurations is one command in a new process
(``mirloop analyze`` or ``mirloop dataset generate --workers N``), its wall time from start to
exit, start-up included. From those, all measured in the same run:

- throughput scaling = wall with 1 worker / wall with 2 workers (goal ≥ 1.8×);
- Dask overhead = wall on Dask / wall on local processes, minus 1, same worker count (goal ≤ 10 %);
- busy share = the tasks' own seconds / (wall × workers): how much of the workers' time went
  into tasks rather than into spawning, scheduling and waiting;
- core-seconds per task = wall × workers / n, the figure ``docs/scale.md`` projects costs from;
- CPU of 2 local workers / CPU of 1 (this process, its finished children and the local workers,
  the least of the rounds): what a second worker costs in CPU, which other load barely moves.

The machine's load average is printed with each figure: on a machine that other work keeps
busy, wall-clock scaling measures the contention as much as mirloop.

Usage: ``python benchmarks/bench_scale.py [--tracks N] [--track-seconds S] [--renders M] [--only W]
[--fresh] [--json] [--check]``.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
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
    """The configuration's executor; one local worker is a worker process as well (see
    :func:`one_worker_process`), so that every configuration runs its tasks in workers."""
    from mirloop.executors import LocalExecutor
    from mirloop.executors.dask import DaskExecutor

    if kind != "local":
        return DaskExecutor(f"local:{workers}")
    return one_worker_process() if workers == 1 else LocalExecutor(workers)


def one_worker_process() -> Any:
    """A :class:`~mirloop.executors.LocalExecutor` of one worker that runs its tasks in a worker
    process, as two workers do, instead of in the calling process (the executor's own choice for
    one worker, which saves the process): then both local configurations pay for sending tasks
    and results between processes, and the ratio compares worker counts only. (When every
    configuration's executor stayed open for the whole run, the calling process also held the
    Dask scheduler and client, and tasks run there took a few per cent longer.)"""
    from mirloop.executors import LocalExecutor

    class OneWorkerProcess(LocalExecutor):
        def inline(self, n_jobs: int) -> bool:
            return False

        def start(self) -> None:
            self._started().start()

    return OneWorkerProcess(1)


def make_tracks(folder: Path, count: int, seconds: float = TRACK_SECONDS) -> list[Path]:
    """``count`` WAV files of ``seconds`` (default :data:`TRACK_SECONDS`), each starting from another clip."""
    clips = clip_files(DEFAULT_CLIPS)
    folder.mkdir(parents=True)
    made = []
    for index in range(count):
        rotated = clips[index % len(clips):] + clips[: index % len(clips)] if clips else []
        path = folder / f"track-{index:03d}.wav"
        write_wav(path, blocks(rotated, seconds))
        made.append(path)
    return made


def analysis_batch(executor: Any, inputs: list[Path], work: Path) -> tuple[float, float]:
    """Wall seconds of ``mirloop analyze`` over ``inputs`` (no figures) on ``executor``, and
    the sum of the tracks' own seconds."""
    from mirloop.pipelines.batch import analyze_tracks

    out = Path(tempfile.mkdtemp(dir=work))
    started = time.perf_counter()
    reports = analyze_tracks(inputs, out, executor=executor, figure=False)
    wall = time.perf_counter() - started
    assert all(report.ok for report in reports), [r.error for r in reports if not r.ok]
    shutil.rmtree(out)
    return wall, sum(report.seconds for report in reports)


def render_batch(executor: Any, per_descriptor: int, work: Path, seed: int) -> tuple[float, float]:
    """Wall seconds of ``dataset generate`` making ``per_descriptor`` renders of each duration of
    :data:`RENDER_DESCRIPTORS` descriptors (fresh folder, so nothing is skipped), and the sum of
    the renders' own seconds."""
    from mirloop.dataset.generate import generate_dataset

    out = Path(tempfile.mkdtemp(dir=work))
    report = generate_dataset(out, per_descriptor=per_descriptor, durations=RENDER_DURATIONS, seed=seed,
                              limit_descriptors=RENDER_DESCRIPTORS, executor=executor, progress=False)
    assert not report.failures, report.failures
    shutil.rmtree(out)
    return report.wall_seconds, sum(row.job_seconds for row in report.rows)


def figures(wall: float, busy: float, n: int, workers: int, load: float) -> dict[str, float]:
    return {"n": n, "wall": wall, "task_seconds": busy, "busy_share": busy / (wall * workers),
            "core_seconds_per_task": wall * workers / n, "load_average": load}


def _batch(
    workload: str, executor: Any, inputs: list[Path], work: Path, seeds: Iterator[int]
) -> Callable[[int], tuple[float, float]]:
    """A batch of ``k`` tasks of ``workload`` on ``executor`` (each render batch with the next seed)."""
    if workload == "analysis":
        return lambda k: analysis_batch(executor, inputs[:k], work)
    per_render = len(RENDER_DURATIONS) * RENDER_DESCRIPTORS
    return lambda k: render_batch(executor, k // per_render, work, next(seeds))


def command_batch(
    workload: str, workers: int, inputs: list[Path], work: Path, seeds: Iterator[int]
) -> Callable[[int], tuple[float, float]]:
    """A batch of ``k`` tasks as one command in a new process — ``mirloop analyze`` (no figure)
    or ``mirloop dataset generate`` with ``--workers`` — timed from its start to its exit, so the
    wall includes the interpreter's and the workers' start-up; and the tasks' own seconds, read
    from its outputs."""
    per_render = len(RENDER_DURATIONS) * RENDER_DESCRIPTORS

    def batch(k: int) -> tuple[float, float]:
        out = Path(tempfile.mkdtemp(dir=work)) / "out"
        if workload == "analysis":
            args = ["analyze", *map(str, inputs[:k]), "-o", str(out), "--no-figure", "-q"]
        else:
            durations = ",".join(f"{d:g}" for d in RENDER_DURATIONS)
            args = ["dataset", "generate", "-o", str(out), "--per-descriptor", str(k // per_render),
                    "--durations", durations, "--limit-descriptors", str(RENDER_DESCRIPTORS),
                    "--seed", str(next(seeds)), "--no-progress"]
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mirloop.cli.main", *args, "--workers", str(workers)],
                       check=True, capture_output=True)
        wall = time.perf_counter() - started
        if workload == "analysis":
            busy = sum(track["seconds"] for track in json.loads((out / "summary.json").read_text())["tracks"])
        else:
            import pyarrow.parquet as pq

            manifest = pq.read_table(out / "manifest.parquet", columns=["job_seconds"])
            busy = sum(manifest["job_seconds"].to_pylist())
        shutil.rmtree(out.parent)
        return wall, busy

    return batch


def cpu_clock(executor: Any) -> float:
    """CPU seconds used so far by this process, its finished child processes (a ``--fresh``
    command and the workers it waited for) and ``executor``'s running local workers (none for a
    ``--fresh`` batch): summed over a batch on every core, it does not grow with other work on
    the machine as wall time does (Dask workers are not counted)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = time.process_time() + children.ru_utime + children.ru_stime
    try:
        import psutil
    except ImportError:
        return total
    for pid in getattr(executor, "pids", []):
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def measure(
    workload: str, configurations: list[tuple[str, int]], n: int, warm_up: int, rounds: int, work: Path,
    *, fresh: bool = False, track_seconds: float = TRACK_SECONDS,
) -> dict[str, Any]:
    inputs = make_tracks(work / f"tracks-{workload}", n, track_seconds) if workload == "analysis" else []
    workers_of = {f"{kind}-{workers}": workers for kind, workers in configurations}
    seeds = {name: itertools.count() for name in workers_of}
    best: dict[str, tuple[float, float, float]] = {}
    cpu: dict[str, float] = {}
    for _ in range(rounds):
        for (kind, workers), name in zip(configurations, workers_of):
            # a --fresh batch is a command that starts its own workers: no executor here
            with contextlib.nullcontext() if fresh else open_executor(kind, workers) as executor:
                if executor is None:
                    batch = command_batch(workload, workers, inputs, work, seeds[name])
                else:
                    executor.start()
                    batch = _batch(workload, executor, inputs, work, seeds[name])
                batch(warm_up)
                load = os.getloadavg()[0]
                before = cpu_clock(executor)
                wall, busy = batch(n)
                cpu[name] = min(cpu.get(name, float("inf")), cpu_clock(executor) - before)
            if name not in best or wall < best[name][0]:
                best[name] = (wall, busy, load)
            print(f"  {workload:8} {name}: {n} tasks in {wall:.1f} s (load average {load:.1f})",
                  file=sys.stderr)
    results = {
        name: {**figures(wall, busy, n, workers_of[name], load), "cpu_seconds": cpu[name]}
        for name, (wall, busy, load) in best.items()
    }
    ratios = {"scaling_local": results["local-1"]["wall"] / results["local-2"]["wall"],
              "cpu_local_2_over_1": cpu["local-2"] / cpu["local-1"]}
    if "dask-1" in results:
        ratios.update({
            "scaling_dask": results["dask-1"]["wall"] / results["dask-2"]["wall"],
            "dask_overhead_1": results["dask-1"]["wall"] / results["local-1"]["wall"] - 1,
            "dask_overhead_2": results["dask-2"]["wall"] / results["local-2"]["wall"] - 1,
        })
    return {"configurations": results, "ratios": ratios}


def cpu_per_task(workload: str, n: int, work: Path) -> float:
    """CPU seconds of one task, measured in this process (one local worker runs its tasks here),
    after a warm-up task: the figure costs are projected from, unaffected by other load."""
    from mirloop.executors import LocalExecutor

    executor = LocalExecutor(1)
    inputs = make_tracks(work / f"cpu-{workload}", n) if workload == "analysis" else []
    per_render = len(RENDER_DURATIONS) * RENDER_DESCRIPTORS
    batch = _batch(workload, executor, inputs, work, itertools.count())
    batch(1 if workload == "analysis" else per_render)
    started = time.process_time()
    batch(n)
    return (time.process_time() - started) / n


def round_trip(kind: str, workers: int, n: int) -> float:
    """Wall seconds per task of ``n`` empty tasks (``os.getpid``) on a warm executor: what the
    executor itself adds to every task (sending it, running it, bringing its result back)."""
    executor = open_executor(kind, workers)
    try:
        jobs: list[tuple[()]] = [()] * n
        ids = [str(i) for i in range(n)]
        list(executor.run(os.getpid, jobs, ids=ids))  # warm: workers up, connections open
        started = time.perf_counter()
        list(executor.run(os.getpid, jobs, ids=ids))
        return (time.perf_counter() - started) / n
    finally:
        executor.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", type=int, default=96,
                        help="n for the analysis batches (96: 3 s a batch on two workers; a sub-second batch "
                             "times its own start and end more than its tasks)")
    parser.add_argument("--track-seconds", type=float, default=TRACK_SECONDS,
                        help="seconds of each analysed track (30: an FMA clip; 270: an average full track)")
    parser.add_argument("--only", choices=("analysis", "renders"), help="one workload only")
    parser.add_argument("--renders", type=int, default=72,
                        help="n for the render batches (a multiple of 6: 2 descriptors x 3 durations)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--rounds", type=int, default=3, help="timed batches per configuration (best kept)")
    parser.add_argument("--overhead", action="store_true",
                        help="only what each executor adds per task (empty tasks, 2 workers)")
    parser.add_argument("--cpu", action="store_true",
                        help="only the CPU seconds per task (one worker, in this process), for costs")
    parser.add_argument("--fresh", action="store_true",
                        help="local processes only, each batch one command in a new process")
    args = parser.parse_args()
    if args.overhead:
        added = {f"{kind}-2": round_trip(kind, 2, 400) for kind in ("local", "dask")}
        print(json.dumps(added, indent=2) if args.json else
              "\n".join(f"{name}: {seconds * 1000:.2f} ms per empty task" for name, seconds in added.items()))
        return 0
    if args.cpu:
        with tempfile.TemporaryDirectory(prefix="mirloop-bench-scale-") as folder:
            cpu = {"analysis_30s_track": cpu_per_task("analysis", args.tracks, Path(folder)),
                   "render_10_30_60s": cpu_per_task("renders", args.renders, Path(folder))}
        print(json.dumps(cpu, indent=2) if args.json else
              "\n".join(f"{name}: {seconds:.3f} CPU s per task" for name, seconds in cpu.items()))
        return 0
    chosen = [(kind, workers) for kind, workers in CONFIGURATIONS if kind == "local" or not args.fresh]
    with tempfile.TemporaryDirectory(prefix="mirloop-bench-scale-") as folder:
        work = Path(folder)
        results = {}
        if args.only in (None, "analysis"):
            results["analysis"] = measure("analysis", chosen, args.tracks, 2, args.rounds, work,
                                          fresh=args.fresh, track_seconds=args.track_seconds)
        if args.only in (None, "renders"):
            results["renders"] = measure("renders", chosen, args.renders, len(RENDER_DURATIONS) * 2,
                                         args.rounds, work, fresh=args.fresh)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{'workload':10} {'1→2 local':>10} {'1→2 dask':>10} {'dask/local 1w':>14} "
              f"{'dask/local 2w':>14} {'core-s/task':>12}")
        nan = float("nan")
        for workload, result in results.items():
            r = result["ratios"]
            core = result["configurations"].get("dask-2", result["configurations"]["local-2"])
            print(f"{workload:10} {r['scaling_local']:>9.2f}× {r.get('scaling_dask', nan):>9.2f}× "
                  f"{r.get('dask_overhead_1', nan):>+13.1%} {r.get('dask_overhead_2', nan):>+13.1%} "
                  f"{core['core_seconds_per_task']:>12.3f}")
        print("goals: 1→2 workers ≥ 1.80×; Dask per-task overhead ≤ +10.0 %")
    missed = [
        f"{workload}: {name} {value:.3f}"
        for workload, result in results.items()
        for name, value in result["ratios"].items()
        if (name.startswith("scaling") and value < 1.8) or (name.startswith("dask_overhead") and value > 0.10)
    ]
    for line in missed:
        print(f"goal missed: {line}", file=sys.stderr)
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
