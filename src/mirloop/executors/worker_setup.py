"""What every worker process does once, before its first task: local processes and Dask workers alike.

One compute thread per numeric library (workers run side by side, one per core), the C
allocator set for large arrays (:mod:`mirloop.allocator`), then the plugin registry
(every backend class) and the descriptor catalog loaded. The libraries a task uses are imported
by its first task, not here: importing up front the ones the built-in backends use (librosa's
submodules, scipy.signal, scikit-learn, JAMS) made a two-worker ``dataset generate`` slower,
not faster — tasks that do not need all of them paid for them, and the workers' imports
competed with the submitting process's own start-up. What a task makes — backends, trained
models, sound fonts — is then kept by the process for the tasks and batches that follow
(:mod:`mirloop.executors.state`).
"""

from __future__ import annotations


def prepare_worker() -> None:
    """One compute thread per numeric library, the allocator tuned, the plugin registry and
    descriptor catalog loaded."""
    from mirloop.catalog import load_catalog
    from mirloop.parallel import worker_process
    from mirloop.plugins import registry

    worker_process()
    registry()
    load_catalog()
