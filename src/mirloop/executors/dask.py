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
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from mirloop.errors import ExecutorError
from mirloop.executors.base import Executor, TaskLost

#: Seconds to wait for a scheduler to answer before the run is refused.
CONNECT_SECONDS = 10
#: Worker deaths a task survives on clusters started here (``local:N``), like local processes.
LOCAL_ALLOWED_FAILURES = 1
#: What the workers of a ``local:N`` cluster run with (each nanny hands it to its worker process,
#: restarted ones included): no statistical profiler, whose stack sample of the running task every
#: 10 ms takes the task's GIL, and waits for a core when the workers fill them all (renders 4-5 %
#: slower on two workers).
WORKER_CONFIG = {"distributed": {"worker": {"profile": {"enabled": False}}}}
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
        futures = [
            self.client.submit(function, *job, key=f"{name}-{task_id}-{run}", pure=False)
            for job, task_id in zip(jobs, ids)
        ]
        index_of = {future.key: i for i, future in enumerate(futures)}
        pending = set(index_of)
        try:
            for future in distributed.as_completed(futures):
                index = index_of[future.key]
                pending.discard(future.key)
                yield index, _outcome(future, distributed)
                future.release()
        except KeyboardInterrupt:
            from mirloop.parallel import JobsInterrupted

            self._cancel(futures, pending)
            raise JobsInterrupted([]) from None
        finally:
            self._cancel(futures, pending)

    def _cancel(self, futures: Sequence[Any], pending: set[Any]) -> None:
        if pending:
            with contextlib.suppress(Exception):
                self.client.cancel([future for future in futures if future.key in pending], force=True)
            pending.clear()

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
