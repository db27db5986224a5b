"""Short tasks travel to remote workers in chunks, sized from the tasks' measured seconds.

A task on a Dask worker costs the scheduler, the client and the worker's event loop a few
milliseconds of CPU besides its own work; for 0.06-s analyses of 30-s clips on a machine whose
cores the workers fill, that is 15 % of the run. :class:`ChunkSizer` groups consecutive jobs so
that one remote task holds about :data:`TARGET_SECONDS` of work, from the seconds the latest
finished jobs took, and shrinks the chunks as the batch ends (never more than a share of what
is left for each slot: guided self-scheduling), so that the workers still finish together. The
first jobs go one by one, to be timed. :func:`run_chunk` is what a remote task runs: the jobs
one after another, each one's result or error kept apart, so one failing job fails only itself.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

#: Seconds of work one remote task should hold: its per-task cost (a few ms of CPU) is then ~1 %.
TARGET_SECONDS = 0.5
#: Chunks in flight per worker thread: one running, one waiting on the worker, so that a worker
#: does not wait for the client to hear of one chunk and send the next.
IN_FLIGHT_PER_SLOT = 2
#: The chunk sent is at most the jobs left divided by this many per worker thread.
SHARE_PER_SLOT = 2


@dataclass(frozen=True)
class JobRaised:
    """A job of a chunk raised: the error, as ``TypeName: message``."""

    error: str


def run_chunk(function: Callable[..., Any], jobs: Sequence[tuple[Any, ...]]) -> list[tuple[float, Any]]:
    """``(seconds, function(*job))`` for every job in turn, a :class:`JobRaised` in place of the
    result of a job that raised (the chunk goes on with the next job)."""
    results: list[tuple[float, Any]] = []
    for job in jobs:
        started = time.perf_counter()
        try:
            outcome = function(*job)
        except Exception as exc:
            outcome = JobRaised(f"{type(exc).__name__}: {exc}")
        results.append((time.perf_counter() - started, outcome))
    return results


class ChunkSizer:
    """How many of the jobs left the next remote task takes.

    ``size(left, slots)``: one while fewer than ``slots`` jobs have been timed; then as many as
    fill :data:`TARGET_SECONDS` at the seconds per job of the recent jobs (a moving average:
    batches start their longest jobs first, so the jobs get shorter as a batch goes on), but no
    more than ``left / (SHARE_PER_SLOT * slots)`` (rounded up), so the last chunks are single
    jobs. ``timed(seconds)`` records a finished job.
    """

    #: Weight of the newest job in the moving average (the last few jobs count most).
    SMOOTHING = 0.3

    def __init__(self, target_seconds: float = TARGET_SECONDS) -> None:
        self.target_seconds = target_seconds
        self.count = 0
        self.mean = 0.0

    def timed(self, seconds: float) -> None:
        seconds = max(seconds, 0.0)
        self.count += 1
        self.mean = seconds if self.count == 1 else self.mean + self.SMOOTHING * (seconds - self.mean)

    def size(self, left: int, slots: int) -> int:
        slots = max(slots, 1)
        if left <= 0:
            return 0
        if self.count < slots:
            return 1
        by_time = max(int(self.target_seconds / max(self.mean, 1e-6)), 1)
        by_share = math.ceil(left / (SHARE_PER_SLOT * slots))
        return max(min(by_time, by_share), 1)
