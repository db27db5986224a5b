"""Where batch tasks run: local processes (the default) or a Dask distributed cluster.

Every per-track batch (``analyze`` over folders, ``loop``, ``dataset generate``, ``corpus
analyze``) hands its tasks to one :class:`~mirloop.executors.base.Executor`. A task is an
importable function and a tuple of small arguments (paths, ids, settings); it writes its own
outputs atomically, so a task that runs twice leaves one result. :func:`open_executor` picks the
backend: :class:`~mirloop.executors.local.LocalExecutor` unless a scheduler address is given
(``--scheduler``, ``MIRLOOP_SCHEDULER`` or ``[executor] scheduler`` in the configuration file),
then :class:`~mirloop.executors.dask.DaskExecutor`. Dask is imported only in that case.
"""

from __future__ import annotations

from mirloop.executors.base import Executor, TaskLost
from mirloop.executors.local import LocalExecutor, executor_for
from mirloop.executors.scheduler import open_executor, resolve_scheduler

__all__ = ["Executor", "LocalExecutor", "TaskLost", "executor_for", "open_executor", "resolve_scheduler"]
