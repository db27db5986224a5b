"""Renderer speed and memory.

Run: ``.venv/bin/python benchmarks/bench_render.py [--soundfont auto|bundled|PATH] [--quick]``

1. Speed: a 60-s render at 44.1 kHz stereo, (a) one region with a four-instrument band and
   (b) four 15-s regions, each with another descriptor and band; reported as × real time and
   against the raw synthesis time of the same score measured in the same run (tinysoundfont
   alone, no mixing).
2. Memory: peak Python allocations (tracemalloc) and peak RSS of streaming 60 s and 600 s
   straight to a WAV file, each in a fresh process; flat means 600 s needs about what 60 s needs.

Both render the GM production (every part on the font), so the engine is measured against the
synthesis it drives; the genre production's NumPy voices are timed by ``bench_genre_heard.py
--cost`` and, in the loop, by ``bench_loop.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

SINGLE = [("rock_indie_driving", "two_guitars")]
MULTI = [
    ("rock_indie_driving", None),
    ("electronica_house_energetic", None),
    ("pop_synth_happy", None),
    ("cinematic_orchestral_triumphant", None),
]


def plans_for(kind: str, duration: float, seed: int = 1) -> list:
    from mirloop.catalog import load_catalog
    from mirloop.renderer.api import descriptor_plan

    catalog = load_catalog()
    specs = SINGLE if kind == "single" else MULTI
    length = duration / len(specs)
    plans = []
    for index, (name, band) in enumerate(specs):
        descriptor = catalog[name]
        plan = descriptor_plan(descriptor, length, seed + index, band=band)
        from attrs import evolve

        plans.append(
            evolve(
                plan,
                index=index,
                start=index * length,
                end=(index + 1) * length,
                ringout=None if plan.ringout is None else (index + 1) * length - 2.0,
            )
        )
    return plans


def best_of(runs: int, func) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times)


def speed(kind: str, soundfont: str, runs: int) -> dict:
    from mirloop.renderer.options import RenderOptions
    from mirloop.renderer.production import Prepared, render_plans
    from mirloop.renderer.synth import BlockSynth, part_events

    duration = 60.0
    plans = plans_for(kind, duration)
    options = RenderOptions(soundfont=soundfont, production="gm")
    render_plans(plans, 5.0 if kind == "single" else duration, 1, options)  # warm caches and the font pool
    total = best_of(runs, lambda: render_plans(plans, duration, 1, options))
    prepared = Prepared(plans, duration, 1, options)
    frames = prepared.n_samples

    def raw_synth() -> None:
        events = part_events(prepared.score.parts, prepared.channels, options.sr, frames)
        with BlockSynth(prepared.soundfont, options.sr, events) as synth:
            for start in range(0, frames, options.block):
                synth.render(min(options.block, frames - start))

    raw = best_of(runs, raw_synth)
    notes = sum(len(p.notes) for p in prepared.score.parts)
    return {
        "render": kind,
        "instruments": sorted({p.instrument.name for p in prepared.score.parts}),
        "notes": notes,
        "soundfont": prepared.soundfont.name,
        "seconds": round(total, 3),
        "x_real_time": round(duration / total, 1),
        "raw_synth_seconds": round(raw, 3),
        "raw_synth_x_real_time": round(duration / raw, 1),
        "render_over_raw_synth": round(total / raw, 2),
    }


def memory_child(duration: float, soundfont: str) -> None:
    """In a fresh process: stream ``duration`` s to a WAV file; print peak tracemalloc and RSS."""
    import tracemalloc

    from mirloop.renderer.options import RenderOptions
    from mirloop.renderer.production import stream_plans_to_file

    plans = plans_for("multi", duration)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    with tempfile.TemporaryDirectory() as folder:
        stream_plans_to_file(
            plans, duration, 1, RenderOptions(soundfont=soundfont, production="gm"), Path(folder) / "long.wav"
        )
    _, peak = tracemalloc.get_traced_memory()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "duration": duration,
                "tracemalloc_peak_mb": round(peak / 2**20, 1),
                "rss_peak_mb": round(rss / 1024, 1),
                "rss_growth_mb": round((rss - baseline) / 1024, 1),
            }
        )
    )


def memory(soundfont: str, durations: tuple[float, ...]) -> list[dict]:
    results = []
    for duration in durations:
        out = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(duration), "--soundfont", soundfont],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--soundfont", default="auto")
    parser.add_argument("--quick", action="store_true", help="one timing run, memory at 60 s and 180 s")
    parser.add_argument("--memory-child", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child is not None:
        memory_child(args.memory_child, args.soundfont)
        return
    runs = 1 if args.quick else 3
    for kind in ("single", "multi"):
        print(json.dumps(speed(kind, args.soundfont, runs)))
    for row in memory(args.soundfont, (60.0, 180.0) if args.quick else (60.0, 600.0)):
        print(json.dumps(row))


if __name__ == "__main__":
    main()
