"""The feedback loop on a 4-minute track, single-threaded.

    .venv/bin/python benchmarks/bench_loop.py --model MODEL/      # a model from `mirloop train`
    .venv/bin/python benchmarks/bench_loop.py                      # trains a tiny KNN first (~20 s)
    .venv/bin/python benchmarks/bench_loop.py --json --check
    .venv/bin/python benchmarks/bench_loop.py --product          # as `mirloop loop` runs by default (fused)

Times ``mirloop.loop.run.run_loop`` on one 4-minute 44.1 kHz stereo WAV (real clips from
``../shared/data/real-dev`` concatenated, or a generated multi-region render without clips):
separation (``repet``), analysis and classification, 1 single-region and 10 multi-region
renders as long as the track, and the re-classification of every render (no OGG, no HTML).
A warm-up run on a 20-s excerpt comes first (imports, caches). Prints the wall time, the
ratio to real time (seconds of input audio per second of wall time) and the time per phase.
Target: under 60 s.
"""

from __future__ import annotations

# tracks pins the numerical libraries to one thread, so it comes before anything imports numpy
from tracks import DEFAULT_CLIPS, blocks, clip_files, write_wav

# isort: split
import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

TRACK_SECONDS = 240.0
WARMUP_SECONDS = 20.0
TARGET_SECONDS = 60.0


def tiny_model(folder: Path) -> Path:
    """A KNN trained on 3 descriptors × 2 renders of 12 s (for when no model is given)."""
    from mirloop.dataset.generate import generate_dataset
    from mirloop.pipelines.training import train_from_dataset

    generate_dataset(
        folder / "data", per_descriptor=2, durations=[12.0], limit_descriptors=3, workers=1, progress=False
    )
    train_from_dataset(
        folder / "data", folder / "model", kind="knn", test_size=0.0, leaky_comparison=False, figures=False
    )
    return folder / "model"


def run(track: Path, out: Path, model: Path | None, peer: str = "") -> tuple[float, float, dict[str, Any]]:
    from mirloop.loop.peer import resolve_peer
    from mirloop.loop.run import run_loop
    from mirloop.loop.settings import LoopSettings

    settings = LoopSettings(
        renders=10, descriptors=1, tempi=1, keys=1, audio=False, html=False, peer=resolve_peer(peer)
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    report = run_loop([track], out, model=model, settings=settings)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    summary = report.tracks[0]
    if not summary["ok"]:
        raise SystemExit(f"the loop failed: {summary['error']}")
    return seconds, cpu, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model", type=Path, default=None, help="model directory (default: train a tiny one)"
    )
    parser.add_argument(
        "--product",
        action="store_true",
        help="the loop as `mirloop loop` runs it without --model: the default input classifier (the "
        "fused real-music classifier where mirloop-musicnn is installed) and the peer "
        "listener (--peer auto: the musicnn tagger when mirloop-musicnn is installed)",
    )
    parser.add_argument(
        "--clips", type=Path, default=Path(os.environ.get("MIRLOOP_BENCH_CLIPS", DEFAULT_CLIPS))
    )
    parser.add_argument("--seconds", type=float, default=TRACK_SECONDS, help="track length (s)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--check", action="store_true", help=f"exit 1 above {TARGET_SECONDS:g} s")
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory(prefix="mirloop-bench-loop-") as scratch:
        root = Path(scratch)
        model = None if args.product else args.model or tiny_model(root / "tiny")
        peer = "auto" if args.product else ""
        track = root / "track.wav"
        write_wav(track, blocks(clip_files(args.clips), args.seconds))
        warmup = root / "warmup.wav"
        write_wav(warmup, blocks(clip_files(args.clips), WARMUP_SECONDS))
        run(warmup, root / "warmup-out", model, peer)
        seconds, cpu, summary = run(track, root / "out", model, peer)
    renders = summary["renders"]
    result = {
        "track_seconds": args.seconds,
        "wall_seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "realtime_factor": round(args.seconds / seconds, 2),
        "renders": len(renders),
        "failed_renders": sum(not r["ok"] for r in renders),
        "rendered_audio_seconds": args.seconds * len(renders),
        "phases": summary["timings"],
        "target_seconds": TARGET_SECONDS,
        "met": seconds < TARGET_SECONDS,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"loop on a {args.seconds:.0f}-s track: {seconds:.1f} s wall ({cpu:.1f} s CPU), "
            f"{result['realtime_factor']}× real "
            f"time ({len(renders)} renders = {result['rendered_audio_seconds']:.0f} s of audio made and "
            f"re-classified); target < {TARGET_SECONDS:.0f} s: {'met' if result['met'] else 'MISSED'}"
        )
        for phase, value in summary["timings"].items():
            print(f"  {phase:<22} {value:8.2f} s")
    return 0 if (result["met"] or not args.check) else 1


if __name__ == "__main__":
    sys.exit(main())
