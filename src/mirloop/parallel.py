"""Process pools for batch work: spawned workers that use one thread of BLAS, OpenMP and numba each.

Every batch in mirloop (analysing folders, generating datasets, training networks, looping over
tracks) runs independent items on ``N`` processes; with ``N`` = cores, a worker that also
starts a thread per core for its matrix products oversubscribes the machine. Workers are
*spawned* (a fork of a parent that holds threads can deadlock) and limited to one thread: by
environment variables for libraries not yet loaded, and by ``threadpoolctl`` for those already
imported while the worker unpickled its task.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def single_threaded() -> None:
    """Limit this process to one compute thread (a pool initializer)."""
    for variable in THREAD_VARIABLES:
        os.environ[variable] = "1"
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def process_pool(workers: int) -> cf.ProcessPoolExecutor:
    """A pool of ``workers`` spawned, single-threaded processes."""
    return cf.ProcessPoolExecutor(
        max(1, workers), mp_context=multiprocessing.get_context("spawn"), initializer=single_threaded
    )
