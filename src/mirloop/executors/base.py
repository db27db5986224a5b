"""The executor interface every batch runs its tasks through."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from mirloop.errors import InvalidValueError
from mirloop.parallel import JobsInterrupted, WorkerLost

#: A task whose worker died on every attempt, or that raised: the batch reports it and goes on.
TaskLost = WorkerLost


class Executor(ABC):
    """Runs ``function(*job)`` for each job and yields ``(index, outcome)`` as they finish.

    ``outcome`` is the function's return value, or a :data:`TaskLost` when the task raised or
    its worker died more often than the executor retries. Closing the iterator or Ctrl-C stops the
    queued tasks; the interrupt arrives as :class:`mirloop.parallel.JobsInterrupted` carrying the
    results that had arrived but were not yielded. A backend implements :meth:`_run`, which
    starts the jobs in the order given.
    """

    #: ``local`` or ``dask``: what reports and benchmarks call the backend.
    kind: str = ""
    #: True when tasks may run on other machines: each task writes its outputs to shared
    #: storage itself instead of leaving them staged for this process to put in place.
    remote: bool = False

    @property
    @abstractmethod
    def workers(self) -> int:
        """The worker processes tasks are spread over (for reports and the progress bar)."""

    def inline(self, n_jobs: int) -> bool:
        """Whether ``n_jobs`` tasks run in this process, one after another (no worker at all)."""
        return False

    def run(
        self,
        function: Callable[..., Any],
        jobs: Sequence[tuple[Any, ...]],
        *,
        ids: Sequence[str],
        costs: Sequence[float] | None = None,
    ) -> Iterator[tuple[int, Any]]:
        """``function(*jobs[i])`` for every ``i``; ``ids`` name the tasks (Dask keys, messages).

        ``costs`` (one per job, any unit: seconds of audio, bytes) start the costliest jobs first,
        so that a batch does not end on one long job while the other workers wait; without them
        the jobs start in their order. The indices yielded are those of ``jobs`` either way."""
        order = launch_order(len(jobs), costs)
        if order is None or self.inline(len(jobs)):
            yield from self._run(function, jobs, ids=ids)
            return
        batch = self._run(function, [jobs[i] for i in order], ids=[ids[i] for i in order])
        try:
            for position, outcome in batch:
                yield order[position], outcome
        except JobsInterrupted as interrupted:
            arrived = [(order[position], outcome) for position, outcome in interrupted.arrived]
            raise JobsInterrupted(arrived) from None
        finally:  # left early: the backend stops the batch's queued and running tasks now
            close = getattr(batch, "close", None)
            if close is not None:
                close()

    @abstractmethod
    def _run(
        self, function: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], *, ids: Sequence[str]
    ) -> Iterator[tuple[int, Any]]:
        """``function(*jobs[i])`` for every ``i``, started in this order, yielded as they finish."""

    def start(self) -> None:  # noqa: B027 (a no-op unless the backend starts its workers itself)
        """Get the workers going now, so that their start-up overlaps what the caller does next
        (a Dask cluster's workers are started by the cluster)."""

    def describe(self) -> str:
        """One line for the terminal: where the tasks run."""
        return f"{self.kind}: {self.workers} worker(s)"

    def close(self) -> None:  # noqa: B027 (a no-op unless the backend holds a connection)
        """Release the connection to the workers (the local pool needs none)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def launch_order(n_jobs: int, costs: Sequence[float] | None) -> list[int] | None:
    """The jobs' indices by decreasing cost, ties in their own order (longest processing time
    first: the batch's last jobs to start are its shortest, so the workers finish together);
    ``None`` when no costs are given or they are already in that order."""
    if costs is None:
        return None
    if len(costs) != n_jobs:
        raise InvalidValueError(f"{len(costs)} costs for {n_jobs} jobs: give one cost per job")
    order = sorted(range(n_jobs), key=lambda i: -costs[i])
    return None if order == list(range(n_jobs)) else order


def file_costs(paths: Sequence[str | os.PathLike[str]]) -> list[float]:
    """The size in bytes of every file (0 where it cannot be read): what analysing it costs, near
    enough to start the longest tracks first."""
    costs = []
    for path in paths:
        try:
            costs.append(float(os.stat(path).st_size))
        except (OSError, ValueError):
            costs.append(0.0)
    return costs
