"""Dask distributed: tasks go to the workers of a scheduler (``tcp://HOST:PORT``) or of a cluster
started here for the run (``local:N``).

Only this module and :mod:`mirloop.executors.dask_worker` import Dask, and only when a scheduler
is asked for; ``pip install 'mirloop[distributed]'`` installs it. Tasks carry paths and ids and
write their outputs to storage every worker sees (a shared folder or an fsspec URL), each output
atomically, so a task the scheduler reruns after its worker died leaves one result.

Worker deaths are retried by the scheduler: a task on a worker that dies goes to another worker,
until it has been on ``distributed.scheduler.allowed-failures + 1`` dying workers (the clusters
started here allow 1 failure, as local processes retry once); it then comes back as a
:data:`~mirloop.executors.base.TaskLost` for that task only. A task that raises is not retried.

Short jobs go in chunks: Dask spends a few milliseconds of scheduler, client and worker time on
every task, a tenth of the analysis of a 30-s clip. A batch's jobs are handed out as the workers
need them (:data:`TASKS_PER_WORKER` tasks each in flight), one job per task until the jobs'
seconds on warm workers are known, then in chunks of about :data:`CHUNK_SECONDS` of work (a job
as long as that still runs alone). A chunk whose worker died on every attempt, or whose results
could not come back, is split and its jobs run again one by one, so a poisoned input is still
reported alone.
"""

from __future__ import annotations

import contextlib
import math
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from attrs import frozen

from mirloop.errors import ExecutorError
from mirloop.executors.base import Executor, TaskLost

#: Seconds to wait for a scheduler to answer before the run is refused.
CONNECT_SECONDS = 10
#: Worker deaths a task survives on clusters started here (``local:N``), like local processes.
LOCAL_ALLOWED_FAILURES = 1
#: How a user installs the optional dependencies.
INSTALL_HINT = "pip install 'mirloop[distributed]'"
#: Seconds of work a chunk of short jobs should hold.
CHUNK_SECONDS = 1.0
#: Tasks per worker handed to the scheduler at a time (one running, the others queued).
TASKS_PER_WORKER = 3
#: Chunks per worker the waiting jobs are at least cut into, so that the workers finish together.
CHUNKS_PER_WORKER = 4
#: Jobs whose seconds size the next chunk (the most recent ones).
WARM_WINDOW = 64
#: Seconds between two readings of the cluster's size (workers may join or leave during a batch).
RECOUNT_SECONDS = 5.0


def import_distributed() -> Any:
    """The ``distributed`` module, or one clear error saying how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise ExecutorError(
            f"a Dask scheduler was asked for but dask.distributed is not installed ({exc}); "
            f"install it with {INSTALL_HINT}, or drop --scheduler / MIRLOOP_SCHEDULER to use local processes"
        ) from None
    return distributed


class DaskExecutor(Executor):
    """Tasks on the workers of the Dask scheduler at ``address`` (or of a ``local:N`` cluster).

    Every worker gets :class:`mirloop.executors.dask_worker.MirloopWorkerSetup` when the
    executor connects: one compute thread per library, and the plugin registry and catalog loaded
    once per worker process (backends, sound fonts and models are then cached by the process for
    the tasks that follow). Pass ``client`` to use an existing :class:`distributed.Client`.
    """

    kind = "dask"
    remote = True

    def __init__(self, address: str | None = None, *, client: Any = None) -> None:
        distributed = import_distributed()
        self.address = address or "client"
        self._cluster: Any = None
        self._owns_client = client is None
        if client is None:
            client = self._connect(distributed, self.address)
        self.client = client
        from mirloop.executors.dask_worker import MirloopWorkerSetup

        self.client.register_plugin(MirloopWorkerSetup(), name="mirloop-setup")

    def _connect(self, distributed: Any, address: str) -> Any:
        if address.startswith("local"):
            import dask

            n = int(address.partition(":")[2] or 0) or None
            # no pre-spawn environment: Dask's sets MALLOC_TRIM_THRESHOLD_ in this process (every
            # later child inherits it) and its workers' threads are limited by prepare_worker anyway
            settings = {"distributed.scheduler.allowed-failures": LOCAL_ALLOWED_FAILURES,
                        "distributed.nanny.pre-spawn-environ": {}}
            with dask.config.set(settings):
                self._cluster = distributed.LocalCluster(
                    n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0"
                )
            client = distributed.Client(self._cluster)
            client.wait_for_workers(len(self._cluster.workers))
            return client
        try:
            return distributed.Client(address, timeout=f"{CONNECT_SECONDS}s")
        except (OSError, TimeoutError) as exc:
            raise ExecutorError(
                f"could not reach the Dask scheduler at {address} ({exc}); start one with "
                f"`dask scheduler` and workers with `dask worker {address} --nthreads 1`, "
                "or drop --scheduler / MIRLOOP_SCHEDULER to use local processes"
            ) from None

    @property
    def workers(self) -> int:
        return len(self.client.scheduler_info(n_workers=-1).get("workers", {}))

    @property
    def dashboard(self) -> str | None:
        """The Dask dashboard's address when the scheduler serves one."""
        services = self.client.scheduler_info().get("services", {})
        return str(self.client.dashboard_link) if "dashboard" in services else None

    def describe(self) -> str:
        where = f"dask scheduler {self.client.scheduler.address}: {self.workers} worker(s)"
        return where + (f"; dashboard {self.dashboard}" if self.dashboard else "")

    def run(
        self, function: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], *, ids: Sequence[str]
    ) -> Iterator[tuple[int, Any]]:
        distributed = import_distributed()
        run = uuid.uuid4().hex[:8]
        name = getattr(function, "__name__", "task")
        held: dict[str, list[int]] = {}  # a task's key -> the indices of its jobs
        futures: dict[str, Any] = {}
        waiting = deque(range(len(jobs)))
        warm_seconds: deque[float] = deque(maxlen=WARM_WINDOW)  # recent jobs' seconds on warm workers
        workers, counted = max(1, self.workers), time.monotonic()
        done = distributed.as_completed()

        def submit(indices: list[int]) -> None:
            more = f"+{len(indices) - 1}" if len(indices) > 1 else ""
            key = f"{name}-{ids[indices[0]]}{more}-{run}"
            future = self.client.submit(run_chunk, function, [jobs[i] for i in indices], key=key, pure=False)
            held[key], futures[key] = indices, future
            done.add(future)

        def refill() -> None:
            while waiting and len(held) < TASKS_PER_WORKER * workers:
                size = chunk_size(warm_seconds, len(waiting), workers)
                submit([waiting.popleft() for _ in range(min(size, len(waiting)))])

        refill()
        try:
            for future in done:
                indices = held.pop(future.key)
                del futures[future.key]
                outcomes = _chunk_outcomes(future, distributed)
                future.release()
                if isinstance(outcomes, TaskLost) and len(indices) > 1 and outcomes.attempts > 0:
                    for index in indices:  # one by one: only a poisoned job is lost
                        submit([index])
                    continue
                outcomes = _spread(outcomes, len(indices))
                warm_seconds.extend(o.seconds for o in outcomes if isinstance(o, JobDone) and o.warm)
                if time.monotonic() - counted > RECOUNT_SECONDS:
                    workers, counted = max(1, self.workers), time.monotonic()
                refill()  # before handing the results on: the workers need not wait for this process
                for index, outcome in zip(indices, outcomes):
                    yield index, outcome.result if isinstance(outcome, JobDone) else outcome
        except KeyboardInterrupt:
            from mirloop.parallel import JobsInterrupted

            self._cancel(futures)
            raise JobsInterrupted([]) from None
        finally:
            self._cancel(futures)

    def _cancel(self, futures: dict[str, Any]) -> None:
        if futures:
            with contextlib.suppress(Exception):
                self.client.cancel(list(futures.values()), force=True)
            futures.clear()

    def close(self) -> None:
        if self._owns_client:
            with contextlib.suppress(Exception):
                self.client.close()
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.close()
            self._cluster = None


@frozen
class JobDone:
    """A job's result from a chunk, with its seconds on the worker; ``warm`` when the worker had
    run a job of this kind before (the first pays for loading backends and models)."""

    result: Any
    seconds: float
    warm: bool


#: What the worker process has run jobs of (by function name): its later jobs are warm.
_RAN: set[str] = set()


def chunk_size(warm_seconds: Sequence[float], waiting: int, workers: int) -> int:
    """Jobs per task: one until a warm job has been timed; then about :data:`CHUNK_SECONDS` of
    work at the median warm job's seconds, and at least :data:`CHUNKS_PER_WORKER` tasks per
    worker for the ``waiting`` jobs."""
    if not warm_seconds:
        return 1
    per_job = sorted(warm_seconds)[len(warm_seconds) // 2]
    by_time = max(1, int(CHUNK_SECONDS / max(per_job, 1e-3)))
    by_balance = max(1, math.ceil(waiting / (CHUNKS_PER_WORKER * workers)))
    return min(by_time, by_balance)


def run_chunk(function: Callable[..., Any], jobs: Sequence[tuple[Any, ...]]) -> list[Any]:
    """A :class:`JobDone` for each job in turn on the worker, or a :data:`TaskLost` for a job that
    raised (the others still run)."""
    name = f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', function)}"
    outcomes: list[Any] = []
    for job in jobs:
        warm, started = name in _RAN, time.perf_counter()
        try:
            outcomes.append(JobDone(function(*job), time.perf_counter() - started, warm))
        except Exception as exc:
            outcomes.append(TaskLost(f"{type(exc).__name__}: {exc}", 1))
        _RAN.add(name)
    return outcomes


def _spread(outcomes: Any, n: int) -> list[Any]:
    """One outcome per job: a chunk's list as it is, or its one :data:`TaskLost` for every job."""
    return outcomes if isinstance(outcomes, list) else [outcomes] * n


def _chunk_outcomes(future: Any, distributed: Any) -> Any:
    """The chunk's outcomes, or a :data:`TaskLost` saying why there are none.

    A result can go with its worker after ``as_completed`` named the task finished; the scheduler
    then computes it again, and this waits for that run's result."""
    if future.status == "cancelled":
        return TaskLost("the task was cancelled on the cluster", 0)
    try:
        error = future.exception()  # at once when finished; else waits for the task's new run
    except Exception:  # cancelled meanwhile
        return TaskLost("the task was cancelled on the cluster", 0)
    if error is None:
        try:
            return future.result()
        except Exception as exc:  # the result could not come back (unpicklable, lost)
            return TaskLost(f"the result could not come back: {type(exc).__name__}: {exc}", 1)
    if isinstance(error, distributed.KilledWorker):
        return TaskLost(f"worker process died on every attempt ({error})", LOCAL_ALLOWED_FAILURES + 1)
    return TaskLost(f"{type(error).__name__}: {error}", 1)
