"""Local processes: a pool of workers kept for the executor's life, or this process for one worker."""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from mirloop.executors.base import Executor
from mirloop.executors.worker_setup import prepare_worker
from mirloop.parallel import JobPool


class LocalExecutor(Executor):
    """``workers`` spawned single-threaded processes on this machine (default: every core).

    The workers start when :meth:`start` is called (a command calls it as it opens, so that
    their start-up overlaps its own) or when the first batch needs them, each runs
    :func:`~mirloop.executors.worker_setup.prepare_worker` once, and they stay up for every
    batch of the run — the backends, models and sound fonts a task makes serve the later tasks
    and batches — until :meth:`close`. A worker that dies costs its task only (retried once on a
    fresh worker) and is replaced for the following batches. With one worker, or one task
    before the workers are started, the tasks run in this process.
    """

    kind = "local"
    remote = False

    def __init__(self, workers: int | None = None) -> None:
        self._workers = max(1, workers or os.cpu_count() or 1)
        self._pool: JobPool | None = None

    @property
    def workers(self) -> int:
        return self._workers

    @property
    def pids(self) -> list[int]:
        """The process ids of the running workers (none before they start, or with one worker)."""
        return self._pool.pids if self._pool is not None else []

    def inline(self, n_jobs: int) -> bool:
        return self._workers <= 1 or (n_jobs <= 1 and self._pool is None)

    def start(self) -> None:
        if self._workers > 1:
            self._started().start()

    def _started(self) -> JobPool:
        if self._pool is None:
            self._pool = JobPool(self._workers, initializer=prepare_worker)
            weakref.finalize(self, self._pool.close)  # an executor dropped without close()
        return self._pool

    def _run(
        self, function: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], *, ids: Sequence[str]
    ) -> Iterator[tuple[int, Any]]:
        if self.inline(len(jobs)):
            for index, job in enumerate(jobs):
                yield index, function(*job)
            return
        yield from self._started().run(function, jobs)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


@contextlib.contextmanager
def executor_for(executor: Executor | None, workers: int | None) -> Iterator[Executor]:
    """``executor``, or — when it is ``None`` — a :class:`LocalExecutor` of ``workers``
    processes made for the ``with`` block and closed after it (a caller's executor stays open)."""
    if executor is not None:
        yield executor
        return
    with LocalExecutor(workers) as local:
        yield local
