"""Dask distributed: tasks go to the workers of a scheduler (``tcp://HOST:PORT``) or of a cluster
started here for the run (``local:N``).

Only this module and :mod:`mirloop.executors.dask_worker` import Dask, and only when a scheduler
is asked for; ``pip install 'mirloop[distributed]'`` installs it. Tasks carry paths and ids and
write their outputs to storage every worker sees (a shared folder or an fsspec URL), each output
atomically, so a task the scheduler reruns after its worker died leaves one result.

Short jobs go to the workers in chunks of about half a second of work
(:mod:`mirloop.executors.chunks`), sized from the seconds the finished jobs took; two chunks per
worker thread are in flight at a time, and their results are yielded job by job.

Worker deaths are retried by the scheduler: a task on a worker that dies goes to another worker,
until it has been on ``distributed.scheduler.allowed-failures + 1`` dying workers (the clusters
started here allow 1 failure, as local processes retry once). The scheduler counts a death
against every task the worker holds, the one waiting behind the culprit too, so a task lost that
way is sent again job by job, each alone (nothing else of the run in flight): only a job that
then takes its worker down again comes back as a :data:`~mirloop.executors.base.TaskLost`; the
others run again, their outputs written atomically. A job that raises is not retried: it alone
is reported.
"""

from __future__ import annotations

import collections
import contextlib
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from mirloop.errors import ExecutorError
from mirloop.executors.base import Executor, TaskLost
from mirloop.executors.chunks import IN_FLIGHT_PER_SLOT, ChunkSizer, JobRaised, run_chunk

#: Seconds to wait for a scheduler to answer before the run is refused.
CONNECT_SECONDS = 10
#: Worker deaths a task survives on clusters started here (``local:N``), like local processes.
LOCAL_ALLOWED_FAILURES = 1
#: What the workers of a ``local:N`` cluster run with (each nanny hands it to its worker process,
#: restarted ones included): no statistical profiler, whose stack sample of the running task every
#: 10 ms takes the task's GIL, and waits for a core when the workers fill them all (renders 4-5 %
#: slower on two workers).
WORKER_CONFIG = {"distributed": {"worker": {"profile": {"enabled": False}}}}
#: Seconds between two counts of the scheduler's worker threads during a run (workers come and go).
RECOUNT_SECONDS = 2.0
#: How a user installs the optional dependencies.
INSTALL_HINT = "pip install 'mirloop[distributed]'"


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
                    n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                    config=dask.config.merge(dask.config.config, WORKER_CONFIG),
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

    def _run(
        self, function: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], *, ids: Sequence[str]
    ) -> Iterator[tuple[int, Any]]:
        distributed = import_distributed()
        run = uuid.uuid4().hex[:8]
        name = getattr(function, "__name__", "task")
        sizer = ChunkSizer()
        queue = collections.deque(range(len(jobs)))  # positions not yet sent, in launch order
        alone: collections.deque[int] = collections.deque()  # lost: to run again on their own
        sent_alone: set[str] = set()  # the keys of those runs
        chunks: dict[str, tuple[Any, list[int]]] = {}  # in flight: key -> (future, positions)
        completed = distributed.as_completed()
        slots, counted = self._slots(), time.monotonic()

        def send() -> None:
            while alone or queue:
                if alone or sent_alone & chunks.keys():  # one at a time, nothing else in flight
                    if chunks or not alone:
                        return
                    positions, suffix = [alone.popleft()], "-alone"
                elif len(chunks) < IN_FLIGHT_PER_SLOT * slots:
                    size = min(sizer.size(len(queue), slots), len(queue))
                    positions = [queue.popleft() for _ in range(size)]
                    suffix = f"+{size - 1}" if size > 1 else ""
                else:
                    return
                key = f"{name}-{ids[positions[0]]}{suffix}-{run}"
                chunk = [jobs[p] for p in positions]
                future = self.client.submit(run_chunk, function, chunk, key=key, pure=False)
                chunks[key] = (future, positions)
                completed.add(future)
                if suffix == "-alone":
                    sent_alone.add(key)

        try:
            send()
            for future in completed:
                _, positions = chunks.pop(future.key)
                outcome = _outcome(future, distributed)
                future.release()
                if isinstance(outcome, TaskLost) and future.key not in sent_alone:
                    # the job that took its worker down may have been another one on that worker
                    # (Dask counts a death against every task the worker holds): each alone
                    alone.extend(positions)
                elif isinstance(outcome, TaskLost):
                    yield positions[0], outcome
                else:
                    for position, (seconds, result) in zip(positions, outcome):
                        sizer.timed(seconds)
                        yield position, TaskLost(result.error, 1) if isinstance(result, JobRaised) else result
                if time.monotonic() - counted > RECOUNT_SECONDS:
                    slots, counted = self._slots(), time.monotonic()
                send()
        except KeyboardInterrupt:
            from mirloop.parallel import JobsInterrupted

            self._cancel(chunks)
            raise JobsInterrupted([]) from None
        finally:
            self._cancel(chunks)

    def _slots(self) -> int:
        """The worker threads the scheduler has now (at least 1: tasks wait for workers to come)."""
        return max(sum(self.client.nthreads().values()), 1)

    def _cancel(self, chunks: dict[str, tuple[Any, list[int]]]) -> None:
        if chunks:
            with contextlib.suppress(Exception):
                self.client.cancel([future for future, _ in chunks.values()], force=True)
            chunks.clear()

    def close(self) -> None:
        if self._owns_client:
            with contextlib.suppress(Exception):
                self.client.close()
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.close()
            self._cluster = None


def _outcome(future: Any, distributed: Any) -> Any:
    """The task's result, or a :data:`TaskLost` saying why there is none.

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
