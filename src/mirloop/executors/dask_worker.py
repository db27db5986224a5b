"""What every Dask worker does once, before its first task (imported only with Dask)."""

from __future__ import annotations

from typing import Any

from distributed import WorkerPlugin


class MirloopWorkerSetup(WorkerPlugin):
    """:func:`mirloop.executors.worker_setup.prepare_worker` in the worker process: one compute
    thread per numeric library, the plugin registry and descriptor catalog loaded and the task
    libraries imported; the sound-font pool, the trained models and the backends a task makes
    are then cached by the process for every later task (:mod:`mirloop.executors.state`)."""

    def setup(self, worker: Any) -> None:
        from mirloop.executors.worker_setup import prepare_worker

        prepare_worker()
