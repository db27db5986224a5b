"""What every Dask worker does once, before its first task (imported only with Dask)."""

from __future__ import annotations

from typing import Any

from distributed import WorkerPlugin


class MirloopWorkerSetup(WorkerPlugin):
    """One compute thread per numeric library, then the plugin registry (every backend class)
    and the descriptor catalog loaded into the worker process; the sound-font pool, the trained
    models and the backends a task makes are then cached by the process for every later task
    (:mod:`mirloop.executors.state`)."""

    def setup(self, worker: Any) -> None:
        from mirloop.catalog import load_catalog
        from mirloop.parallel import single_threaded
        from mirloop.plugins import registry

        single_threaded()
        registry()
        load_catalog()
