"""Training the networks of a hierarchical MLP on several processes.

The networks of all nodes are independent, so they are trained on a process pool, biggest
first; each worker uses one BLAS thread so that the workers do not compete for cores. Results
do not depend on the number of workers.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import sys
from typing import Any

from mirloop.classify.estimators import NetworkJob, fit_network, fit_networks
from mirloop.parallel import process_pool

#: Below this many training rows in all, the pool's start-up costs more than it saves.
PARALLEL_MIN_ROWS = 20_000


def default_workers() -> int:
    return os.cpu_count() or 1


def run_network_jobs(
    jobs: list[NetworkJob], workers: int | None = None, *, progress: str | None = None
) -> list[Any]:
    """Fitted networks for ``jobs``, in order; ``workers`` processes (default: all cores when the
    jobs hold at least :data:`PARALLEL_MIN_ROWS` rows, else this process). ``progress`` names a bar
    over the networks on stderr (none without it)."""
    from tqdm import tqdm

    if workers is None:
        workers = default_workers() if sum(len(j.y) for j in jobs) >= PARALLEL_MIN_ROWS else 1
    workers = max(1, min(workers, len(jobs)))
    bar = tqdm(total=len(jobs), desc=progress, unit="network", file=sys.stderr, disable=progress is None,
               dynamic_ncols=True)
    with bar:
        if workers == 1:
            return fit_networks(jobs, done=bar.update)
        order = sorted(range(len(jobs)), key=lambda i: -jobs[i].cost)
        results: list[Any] = [None] * len(jobs)
        with process_pool(workers) as pool:
            futures = {pool.submit(fit_network, jobs[i]): i for i in order}
            for future in cf.as_completed(futures):
                results[futures[future]] = future.result()
                bar.update()
        return results
