"""The analysis goals on the annotated development sets: every installed backend, how far from each goal.

The goals are those of the tempo, key and form issue (#17), on the developers' own real sets
(``make annotated-dev``, ``devsets/annotated/README.md``):

| set | stage | goal |
|---|---|---|
| ``compositions/`` (renders of scores, exact key and tempo) | tempo | Acc1 ≥ 0.90, Acc2 ≥ 0.97 |
| ``compositions/`` | key | MIREX ≥ 0.90 |
| ``modules/`` (tracker modules: real music at an exact tempo) | tempo | Acc1 ≥ 0.80, Acc2 ≥ 0.95 |
| ``spliced/`` (real recordings joined at exact points) | segmenter | F @0.5 s ≥ 0.70, F @3 s ≥ 0.80 |
| ``forms/`` (whole tunes, a section per strain) | segmenter | none: reported beside the spliced files |
| ``forms/`` | tempo, key | the compositions' goals, on tunes no default was chosen on |

Every backend of the stage that is installed (``mirloop plugins``) runs on every file of the set
(``mirloop.evaluation.runner.compare_backends``: a fresh context per file, the backend's own
time, not decoding), one (set, backend) job per worker process. Each goal row prints each
backend's scores, its distance from the goal (score − goal; negative: short of it) and its
seconds per minute of audio (wall time of the backend's calls, comparable within one run), then
the best backend: the highest score on the row's first measure, then on its second, and a tie
goes to the faster one. ``--figure`` draws the scores against the goals. The speed goal of the
issue (the whole default analysis ≤ 0.35 CPU s per minute) is ``make bench``'s.

Usage: ``python benchmarks/bench_annotated.py DIR [--only SET] [--backend NAME ...] [--skip NAME ...]
[--workers N] [--json OUT.json] [--figure OUT.png] [--check]`` (``--check``: exit status 1 when
the best backend of a goal row misses the goal). The whole run with every peer plugin
(essentia, madmom, tempocnn, ``make install``) took 11 minutes on the two idle cores of the
development machine (28 jobs over 3.5 h of audio, each file scored by every backend of its stage).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Goal:
    """One row of the goal table: a set, a stage, its measures and their goals (``None``: no goal)."""

    subset: str
    stage: str
    measures: tuple[tuple[str, str, float | None], ...]  # (metric, label, goal)
    note: str = ""


GOALS = (
    Goal("compositions", "tempo", (("acc1", "Acc1", 0.90), ("acc2", "Acc2", 0.97))),
    Goal("compositions", "key", (("mirex", "MIREX", 0.90),)),
    Goal("modules", "tempo", (("acc1", "Acc1", 0.80), ("acc2", "Acc2", 0.95)),
         "real recordings with known tempo"),
    Goal("spliced", "segmenter", (("f_0.5s", "F @0.5 s", 0.70), ("f_3s", "F @3 s", 0.80))),
    Goal("forms", "segmenter", (("f_0.5s", "F @0.5 s", None), ("f_3s", "F @3 s", None)),
         "within one piece; no goal"),
    Goal("forms", "tempo", (("acc1", "Acc1", 0.90), ("acc2", "Acc2", 0.97)),
         "whole tunes: the compositions' goal, held out"),
    Goal("forms", "key", (("mirex", "MIREX", 0.90),), "whole tunes: the compositions' goal, held out"),
)  # fmt: skip


@dataclass
class Result:
    """One backend on one goal row's set."""

    subset: str
    stage: str
    backend: str
    files: int = 0
    failed: int = 0
    scores: dict[str, float] = field(default_factory=dict)
    seconds_per_minute: float = math.nan
    error: str = ""


def run_job(folder: str, subset: str, stage: str, backend: str) -> Result:
    """``backend`` on every file of ``folder/subset`` with a reference for ``stage``."""
    from mirloop.evaluation.runner import compare_backends

    try:
        summary = compare_backends(Path(folder) / subset, stage, backends=[backend]).summaries()[0]
    except Exception as exc:  # a backend that cannot start is a row of the report, not the end of it
        return Result(subset, stage, backend, error=f"{type(exc).__name__}: {exc}")
    return Result(
        subset, stage, backend, summary.n_files, summary.n_failed, dict(summary.scores),
        summary.seconds_per_minute,
    )  # fmt: skip


def installed_backends(stage: str) -> list[str]:
    from mirloop.plugins import registry

    return list(registry().names(stage))


def best(results: Sequence[Result], goal: Goal) -> Result | None:
    """The highest score on the first measure, then the second; a tie goes to the faster backend."""
    ok = [r for r in results if not r.error and r.files]
    if not ok:
        return None

    def rank(r: Result) -> tuple[float, ...]:
        scores = [round(r.scores.get(m, math.nan), 6) for m, _, _ in goal.measures]
        return (*(-s if s == s else math.inf for s in scores), r.seconds_per_minute)

    return min(ok, key=rank)


def meets(result: Result, goal: Goal) -> bool:
    """Whether ``result`` reaches every goal of the row (a row without goals is met)."""
    return all(result.scores.get(m, math.nan) >= t for m, _, t in goal.measures if t is not None)


def goal_table(goal: Goal, results: Sequence[Result]) -> list[str]:
    """Markdown lines: each backend's scores, distance from the goal and speed, and the best."""
    head = f"{goal.subset}/ — {goal.stage}" + (f" ({goal.note})" if goal.note else "")
    labels = [
        f"{label}" + (f" (goal {target:.2f})" if target is not None else "")
        for _, label, target in goal.measures
    ]
    gaps = [f"{label} − goal" for _, label, target in goal.measures if target is not None]
    lines = [f"### {head}", "", "| backend | files | " + " | ".join(labels + gaps) + " | s / min |"]
    lines.append("|---|---:|" + "---:|" * (len(labels) + len(gaps) + 1))
    for r in results:
        if r.error:
            lines.append(f"| `{r.backend}` | failed: {r.error} |")
            continue
        scores = [r.scores.get(m, math.nan) for m, _, _ in goal.measures]
        cells = [f"{s:.3f}" for s in scores]
        cells += [f"{s - t:+.3f}" for s, (_, _, t) in zip(scores, goal.measures) if t is not None]
        failed = f" ({r.failed} failed)" if r.failed else ""
        lines.append(
            f"| `{r.backend}` | {r.files}{failed} | " + " | ".join(cells) + f" | {r.seconds_per_minute:.2f} |"
        )
    top = best(results, goal)
    if top is not None:
        has_goal = any(t is not None for _, _, t in goal.measures)
        verdict = "no goal" if not has_goal else "meets the goal" if meets(top, goal) else "short of the goal"
        lines += ["", f"best: `{top.backend}` ({verdict})"]
    return [*lines, ""]


def save_figure(goals: Sequence[Goal], results: Sequence[Result], path: Path) -> Path:
    """One panel per goal row: each backend's scores as bars, each goal as a dashed line."""
    from matplotlib.figure import Figure

    from mirloop.io.atomic import atomic_path

    columns = min(3, len(goals))
    rows = -(-len(goals) // columns)
    fig = Figure(figsize=(4.4 * columns, 3.8 * rows), layout="constrained")
    axes = fig.subplots(rows, columns, squeeze=False).ravel()
    for ax in axes[len(goals) :]:
        ax.set_visible(False)
    for ax, goal in zip(axes, goals):
        done = [r for r in results if (r.subset, r.stage) == (goal.subset, goal.stage) and not r.error]
        width = 0.8 / max(len(goal.measures), 1)
        for j, (metric, label, target) in enumerate(goal.measures):
            xs = [i + (j - (len(goal.measures) - 1) / 2) * width for i in range(len(done))]
            bars = ax.bar(xs, [r.scores.get(metric, 0.0) for r in done], width, label=label)
            if target is not None:
                ax.axhline(target, linestyle="--", linewidth=1, color=bars.patches[0].get_facecolor())
        ax.set_xticks(range(len(done)), [r.backend for r in done], rotation=40, ha="right", fontsize=8)
        ax.set_ylim(0, 1.15)
        ax.set_title(f"{goal.subset} — {goal.stage}", fontsize=10)
        ax.legend(fontsize=7, loc="upper left", ncol=2)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=110, format="png")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the annotated sets' folder (make annotated-dev)")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted({g.subset for g in GOALS}),
        help="only this set (repeatable)",
    )
    parser.add_argument("--backend", action="append", help="only this backend (repeatable)")
    parser.add_argument("--skip", action="append", default=[], help="leave this backend out (repeatable)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--json", type=Path, help="write every result as JSON")
    parser.add_argument("--figure", type=Path, help="draw the scores against the goals as a PNG")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a goal row's best backend misses it"
    )
    args = parser.parse_args(argv)  # fmt: skip

    goals = [g for g in GOALS if not args.only or g.subset in args.only]
    missing = [g.subset for g in goals if not (args.folder / g.subset).is_dir()]
    if missing:
        print(
            f"error: {args.folder} has no {', '.join(sorted(set(missing)))}/; build the sets with "
            f"make annotated-dev ANNOTATED_DEV={args.folder} (or --only the sets it has)",
            file=sys.stderr,
        )
        return 2
    jobs = [
        (str(args.folder), g.subset, g.stage, name)
        for g in goals
        for name in installed_backends(g.stage)
        if (not args.backend or name in args.backend) and name not in args.skip
    ]
    if not jobs:
        print("error: no installed backend left to run; see mirloop plugins", file=sys.stderr)
        return 2
    results: list[Result] = []
    with ProcessPoolExecutor(max_workers=max(1, args.workers)) as pool:
        futures = [pool.submit(run_job, *job) for job in jobs]
        for i, future in enumerate(futures, 1):
            result = future.result()
            results.append(result)
            status = result.error or f"{result.files} files"
            print(f"[{i}/{len(jobs)}] {result.subset} {result.stage} {result.backend}: {status}", flush=True)
    print()
    for goal in goals:
        rows = [r for r in results if (r.subset, r.stage) == (goal.subset, goal.stage)]
        print("\n".join(goal_table(goal, rows)))
    if args.json:

        def plain(value: float) -> float | None:
            return value if value == value else None  # NaN (no file with that reference) as null

        records = [
            {**r.__dict__, "scores": {m: plain(v) for m, v in r.scores.items()},
             "seconds_per_minute": plain(r.seconds_per_minute)}
            for r in results
        ]  # fmt: skip
        args.json.write_text(json.dumps(records, indent=1) + "\n", encoding="utf-8")
    if args.figure:
        print(f"figure: {save_figure(goals, results, args.figure)}")
    missed = [
        f"{g.subset} {g.stage}"
        for g in goals
        if (top := best([r for r in results if (r.subset, r.stage) == (g.subset, g.stage)], g)) is None
        or not meets(top, g)
    ]
    if args.check and missed:
        print(f"goals missed: {', '.join(missed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
