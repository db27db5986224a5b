"""The worker pool: a dispatcher thread in the server hands queued jobs to worker processes.

At most ``settings.workers`` runs are in flight; the dispatcher claims the oldest queued job
whenever a worker is free (and when :meth:`WorkerPool.notify` says a job arrived). A worker
that dies breaks the process pool as a whole: a fresh pool replaces it, and every run in flight
at that moment is lost; each such job is queued again while it has attempts left, else marked
failed with the reason.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import os
import threading

from mirloop.serve.settings import ServeSettings
from mirloop.serve.store import JobStore
from mirloop.serve.worker import init_worker, run_job

log = logging.getLogger("mirloop.serve")


class WorkerPool:
    """Runs the store's queued jobs on ``settings.workers`` spawned processes."""

    def __init__(self, settings: ServeSettings, store: JobStore) -> None:
        self.settings = settings
        self.store = store
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._in_flight: dict[cf.Future[str], tuple[str, int]] = {}
        self._executor: cf.ProcessPoolExecutor | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> dict[str, list[str]]:
        """Recover the jobs a stopped server left running, then start dispatching; returns what
        was recovered (see :meth:`JobStore.recover`)."""
        recovered = self.store.recover(max_attempts=self.settings.max_attempts)
        if recovered["requeued"] or recovered["failed"]:
            log.warning(
                "recovered jobs left running by a stopped server: %d queued again, %d failed",
                len(recovered["requeued"]), len(recovered["failed"]),
            )
        self._executor = self._new_executor()
        for _ in range(self.settings.workers):  # start (and warm up) every worker now, not on the first job
            self._executor.submit(os.getpid)
        self._thread = threading.Thread(target=self._dispatch, name="mirloop-dispatch", daemon=True)
        self._thread.start()
        self._wake.set()
        return recovered

    def notify(self) -> None:
        """A job was queued: dispatch it if a worker is free."""
        self._wake.set()

    def stop(self) -> None:
        """Stop dispatching and end the workers; jobs they ran stay ``running`` and are queued
        again by the next server's :meth:`start`."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        executor = self._executor
        if executor is not None:
            processes = list((executor._processes or {}).values())
            executor.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                if process.is_alive():
                    process.terminate()
            for process in processes:
                process.join(timeout=2)

    def _new_executor(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            self.settings.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_worker,
            initargs=(os.getpid(), self.settings),
        )

    def _dispatch(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(timeout=1.0)
            self._wake.clear()
            while not self._stop.is_set():
                with self._lock:
                    if len(self._in_flight) >= self.settings.workers:
                        break
                job = self.store.claim()
                if job is None:
                    break
                assert self._executor is not None
                try:
                    future = self._executor.submit(run_job, self.settings, job.id, job.run)
                except (cf.BrokenExecutor, RuntimeError) as exc:
                    self._lost(job.id, job.run, f"the worker pool broke ({exc})")
                    self._replace_executor()
                    continue
                with self._lock:
                    self._in_flight[future] = (job.id, job.run)
                future.add_done_callback(self._done)

    def _done(self, future: cf.Future[str]) -> None:
        with self._lock:
            job_id, run = self._in_flight.pop(future)
        if self._stop.is_set():
            return
        exc = None if future.cancelled() else future.exception()
        if exc is not None:
            self._lost(job_id, run, f"its worker process died ({type(exc).__name__}: {exc})")
            if isinstance(exc, cf.BrokenExecutor):
                self._replace_executor()
        self._wake.set()

    def _lost(self, job_id: str, run: int, error: str) -> None:
        state = self.store.retry_or_fail(job_id, run, error, max_attempts=self.settings.max_attempts)
        log.warning("job %s run %d lost: %s; now %s", job_id, run, error, state)

    def _replace_executor(self) -> None:
        with self._lock:
            old = self._executor
            if old is not None and not getattr(old, "_broken", False):
                return
            self._executor = self._new_executor()
        if old is not None:
            old.shutdown(wait=False, cancel_futures=True)
