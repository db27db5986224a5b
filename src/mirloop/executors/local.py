"""Local processes: today's pool (:func:`mirloop.parallel.run_jobs`), or this process for one worker."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from mirloop.executors.base import Executor


class LocalExecutor(Executor):
    """``workers`` spawned single-threaded processes on this machine (default: every core).

    A worker that dies costs its task only (retried once on a fresh worker); with one worker, or
    one task, the tasks run in this process.
    """

    kind = "local"
    remote = False

    def __init__(self, workers: int | None = None) -> None:
        self._workers = max(1, workers or os.cpu_count() or 1)

    @property
    def workers(self) -> int:
        return self._workers

    def inline(self, n_jobs: int) -> bool:
        return self._workers <= 1 or n_jobs <= 1

    def run(
        self, function: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], *, ids: Sequence[str]
    ) -> Iterator[tuple[int, Any]]:
        if self.inline(len(jobs)):
            for index, job in enumerate(jobs):
                yield index, function(*job)
            return
        from mirloop.parallel import run_jobs

        yield from run_jobs(function, jobs, workers=min(self._workers, len(jobs)))
