"""Dataset build rate: a stratified subset built for real, extrapolated to the full build.

Run: ``.venv/bin/python benchmarks/bench_dataset.py [--descriptors 16] [--workers N] [--json] [--check]``

``mirloop dataset generate`` runs twice on the same plan — one render of each of
``--descriptors`` descriptors (spread over the catalog) at 10, 30 and 60 s, FLAC, the default
``--store analysis`` — first on one worker (the reference), then on ``--workers`` (default: all
cores). Both are timed on the wall clock, collection included. The rates are extrapolated to the
full build of this catalog (every descriptor × 33 × 10/30/60 s) and to the paper's (20,196
renders, 187 h of audio), and compared with the 2-hour target. The scaling line shows how much
of the extra cores the pool really gets (on shared machines, workers compete for memory and
caches).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PER_DESCRIPTOR = 33
DURATIONS = (10.0, 30.0, 60.0)
PAPER_AUDIO_SECONDS = 204 * PER_DESCRIPTOR * sum(DURATIONS)
TARGET_HOURS = 2.0


def timed_build(root: Path, descriptors: int, workers: int) -> dict[str, float]:
    """Wall seconds and audio seconds of one generation run."""
    from mirloop.dataset.generate import generate_dataset

    started = time.perf_counter()
    report = generate_dataset(
        root,
        per_descriptor=1,
        durations=DURATIONS,
        limit_descriptors=descriptors,
        workers=workers,
        audio_format="flac",
        seed=7,
        progress=False,
    )
    wall = time.perf_counter() - started
    if report.failures:
        raise RuntimeError(f"{len(report.failures)} renders failed: {report.failures[0].error}")
    return {"wall_seconds": wall, "audio_seconds": report.audio_seconds, "renders": report.made}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--descriptors", type=int, default=16, help="descriptors in the subset")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 when the 2-hour target is missed")
    args = parser.parse_args(argv)

    from mirloop.catalog import load_catalog

    full_audio = len(load_catalog()) * PER_DESCRIPTOR * sum(DURATIONS)
    runs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="mirloop-bench-dataset-") as folder:
        timed_build(Path(folder) / "warm-up", 1, 1)  # soundfont, numba and filter caches
        for name, workers in (("one worker", 1), (f"{args.workers} workers", args.workers)):
            runs[name] = timed_build(Path(folder) / name.replace(" ", "-"), args.descriptors, workers)
    for run in runs.values():
        run["real_time_factor"] = run["audio_seconds"] / run["wall_seconds"]
        run["full_build_hours"] = full_audio / run["real_time_factor"] / 3600
        run["paper_build_hours"] = PAPER_AUDIO_SECONDS / run["real_time_factor"] / 3600
        run["ratio_to_target"] = run["paper_build_hours"] / TARGET_HOURS
    one, many = runs.values()
    scaling = many["real_time_factor"] / one["real_time_factor"]
    report = {"runs": runs, "scaling": scaling, "workers": args.workers, "target_hours": TARGET_HOURS}
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print(f"dataset build: {args.descriptors} descriptors × 10/30/60 s, FLAC, analysis signal stored")
        print(f"{'':<12} {'wall s':>8} {'× real time':>12} {'full build h':>13} {'paper h':>8} {'/ 2 h':>6}")
        for name, run in runs.items():
            print(
                f"{name:<12} {run['wall_seconds']:>8.1f} {run['real_time_factor']:>12.1f} "
                f"{run['full_build_hours']:>13.2f} {run['paper_build_hours']:>8.2f} "
                f"{run['ratio_to_target']:>6.2f}"
            )
        print(f"scaling of {args.workers} workers over one: {scaling:.2f}×")
    return 1 if args.check and many["ratio_to_target"] > 1 else 0


if __name__ == "__main__":
    sys.exit(main())
