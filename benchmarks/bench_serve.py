"""A bounded load test of ``mirloop serve`` on loopback: many concurrent render jobs at once.

A real server (``mirloop serve``, ``--workers`` processes) is started in a subprocess with a
fresh data folder; ``--jobs`` clients (one thread each) submit a short single-region render
(``--seconds`` long, a different descriptor and seed each) at the same moment through the
Amper client, then poll until their render is ``CREATED`` and download its master WAV. A
``--queue-limit`` below ``--jobs`` makes the server answer 429 to some submissions, which the
client retries with back-off. Reported: submission latency, time to ``CREATED`` and status-poll
latency (median / 95th percentile / max), renders per minute, failures, 429s seen.

    .venv/bin/python benchmarks/bench_serve.py [--jobs 50] [--workers 2] [--seconds 2]
        [--queue-limit 64] [--json] [--check]

``--check`` exits 1 unless every job ended ``CREATED`` (none failed, none lost).
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values) if values else float("nan"),
        "p95": percentile(values, 0.95),
        "max": max(values, default=float("nan")),
    }


class Count429(logging.Handler):
    """Counts the client's retried 429 answers (from its debug log, which names only the status)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0
        self.counting = threading.Lock()  # not ``self.lock``: logging holds that one around emit()

    def emit(self, record: logging.LogRecord) -> None:
        if "-> 429" in record.getMessage():
            with self.counting:
                self.count += 1


def run(jobs: int, workers: int, seconds: float, queue_limit: int) -> dict[str, Any]:
    from mirloop.amper import AmperClient, AmperError
    from mirloop.catalog import load_catalog
    from mirloop.serve.testing import ServerProcess
    from mirloop.timeline import single_region

    names = load_catalog().names()
    timelines = [single_region(names[(i * 37) % len(names)], seconds, seed=i).to_json() for i in range(jobs)]
    counter = Count429()
    logging.getLogger("mirloop.amper").addHandler(counter)
    logging.getLogger("mirloop.amper").setLevel(logging.DEBUG)
    submit_s: list[float] = []
    created_s: list[float] = []
    poll_s: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    with (
        tempfile.TemporaryDirectory(prefix="mirloop-bench-serve-") as folder,
        ServerProcess(Path(folder) / "data", workers=workers, queue_limit=queue_limit) as server,
    ):
        client = AmperClient(
            server.url, retries=30, backoff=0.25, max_backoff=4.0, poll_interval=0.25, render_timeout=3600
        )
        go = threading.Event()

        def one(index: int) -> None:
            go.wait()
            started = time.perf_counter()
            try:
                render = client.submit(timelines[index], seed=index)
                submitted = time.perf_counter()
                while True:
                    before = time.perf_counter()
                    render = client.status(render.id)
                    with lock:
                        poll_s.append(time.perf_counter() - before)
                    if render.finished:
                        break
                    time.sleep(0.25)
                if render.status != "CREATED":
                    raise AmperError(f"render {render.id} ended {render.status}: {render.error}")
                audio = client.fetch(render.file("master.wav"))
                if len(audio) < 1000:
                    raise AmperError(f"render {render.id}: master.wav holds {len(audio)} bytes")
                with lock:
                    submit_s.append(submitted - started)
                    created_s.append(time.perf_counter() - started)
            except AmperError as exc:
                with lock:
                    errors.append(str(exc))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(jobs)]
        for thread in threads:
            thread.start()
        wall = time.perf_counter()
        go.set()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - wall
    return {
        "jobs": jobs,
        "workers": workers,
        "seconds_per_render": seconds,
        "queue_limit": queue_limit,
        "created": len(created_s),
        "failed": len(errors),
        "errors": errors[:5],
        "retried_429": counter.count,
        "wall_s": wall,
        "renders_per_minute": 60 * len(created_s) / wall if wall else float("nan"),
        "submit_s": summary(submit_s),
        "created_s": summary(created_s),
        "status_poll_s": summary(poll_s),
        "status_polls": len(poll_s),
    }


def table(result: dict[str, Any]) -> str:
    lines = [
        f"{result['jobs']} concurrent render jobs of {result['seconds_per_render']:g} s, "
        f"{result['workers']} workers, queue limit {result['queue_limit']}",
        f"created {result['created']}, failed {result['failed']}, "
        f"429 answers retried {result['retried_429']}",
        f"wall {result['wall_s']:.1f} s, {result['renders_per_minute']:.1f} renders/min",
        "                     median      p95      max",
    ]
    for key, label in (
        ("submit_s", "submit (s)"),
        ("created_s", "to CREATED (s)"),
        ("status_poll_s", "status poll (s)"),
    ):
        s = result[key]
        lines.append(f"{label:<18} {s['median']:8.3f} {s['p95']:8.3f} {s['max']:8.3f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--queue-limit", type=int, default=64)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.jobs, args.workers, args.seconds, args.queue_limit)
    print(json.dumps(result, indent=2) if args.json else table(result))
    if args.check and result["created"] != args.jobs:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
