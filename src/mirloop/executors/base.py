"""The executor interface every batch runs its tasks through."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from mirloop.parallel import WorkerLost

#: A task whose worker died on every attempt, or that raised: the batch reports it and goes on.
TaskLost = WorkerLost


class Executor(ABC):
    """Runs ``function(*job)`` for each job and yields ``(index, outcome)`` as they finish.

    ``outcome`` is the function's return value, or a :data:`TaskLost` when the task raised or
    its worker died more often than the executor retries. Closing the iterator or Ctrl-C stops the
    queued tasks; the interrupt arrives as :class:`mirloop.parallel.JobsInterrupted` carrying the
    results that had arrived but were not yielded.
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

    @abstractmethod
    def run(
        self, function: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], *, ids: Sequence[str]
    ) -> Iterator[tuple[int, Any]]:
        """``function(*jobs[i])`` for every ``i``; ``ids`` name the tasks (Dask keys, messages)."""

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
