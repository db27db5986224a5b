"""Process pools for batch work: spawned workers that use one thread of BLAS, OpenMP and numba each.

Every batch in mirloop (analysing folders, generating datasets, training networks, looping over
tracks) runs independent items on ``N`` processes; with ``N`` = cores, a worker that also
starts a thread per core for its matrix products oversubscribes the machine. Workers are
*spawned* (a fork of a parent that holds threads can deadlock) and limited to one thread: by
environment variables for libraries not yet loaded, and by ``threadpoolctl`` for those already
imported while the worker unpickled its task.

:func:`run_jobs` is the pool of the per-track batches (``analyze``, ``loop``, ``dataset
generate``). Each worker runs one job at a time, so the parent always knows which job a worker
holds: a worker that dies (killed, ``os._exit``, a crash in native code) costs only its own
job, which is retried once on a fresh worker and then reported as :class:`WorkerLost`; the
other jobs go on. Workers ignore Ctrl-C; the parent, on ``KeyboardInterrupt`` (or when the
caller stops iterating), drops the queued jobs and terminates the workers within
:data:`STOP_SECONDS`, then lets the interrupt through.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

from attrs import frozen

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
#: Seconds a terminated worker gets to exit before it is killed.
STOP_SECONDS = 2.0


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


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped a batch: ``finished`` holds the results of the items that completed,
    ``not_started`` names the others (none of their outputs were written)."""

    def __init__(self, finished: Sequence[Any], not_started: Sequence[str], *, report: Any = None) -> None:
        super().__init__(f"interrupted: {len(finished)} finished, {len(not_started)} not done")
        self.finished = list(finished)
        self.not_started = list(not_started)
        #: The batch's report of what finished, when it makes one (e.g. the loop's).
        self.report = report


class JobsInterrupted(KeyboardInterrupt):
    """Ctrl-C while :func:`run_jobs` waited: ``arrived`` holds the ``(index, result)`` pairs that
    had come back from the workers but were not yielded yet."""

    def __init__(self, arrived: Sequence[tuple[int, Any]]) -> None:
        super().__init__()
        self.arrived = list(arrived)


@frozen
class WorkerLost:
    """A job whose worker process died on every attempt, or whose result could not come back."""

    #: What happened, e.g. ``worker process died (killed by signal 9) on 2 attempts``.
    error: str
    attempts: int


def run_jobs(
    function: Callable[..., Any],
    jobs: Sequence[tuple[Any, ...]],
    *,
    workers: int,
    retries: int = 1,
) -> Iterator[tuple[int, Any]]:
    """``function(*job)`` for every job on ``workers`` spawned processes, as ``(index, result)``
    in the order they finish.

    ``function`` must be importable by name and should report its own failures in its result;
    an exception it raises, or a worker that dies ``1 + retries`` times on the same job, comes
    back as a :class:`WorkerLost` result for that job only. Closing the iterator or an interrupt
    while waiting stops every worker at once (see the module docstring); an interrupt then raises
    :class:`JobsInterrupted` with the results that had already arrived but were not yielded.
    """
    todo = deque(range(len(jobs)))
    attempts = [0] * len(jobs)
    slots = [_Worker() for _ in range(max(1, min(workers, len(jobs))))]
    try:
        while todo or any(slot.job is not None for slot in slots):
            for slot in slots:
                if slot.job is None and todo:
                    index = todo.popleft()
                    attempts[index] += 1
                    slot.start(function, jobs[index], index)
            busy = {slot.ready_handles(): slot for slot in slots if slot.job is not None}
            ready = set(wait([handle for handles in busy for handle in handles]))
            for handles, slot in busy.items():
                if not ready.intersection(handles):
                    continue
                index, outcome = slot.collect()
                if outcome is _DIED:
                    if attempts[index] <= retries:
                        todo.appendleft(index)
                        continue
                    outcome = WorkerLost(
                        f"worker process died ({slot.death}) on {attempts[index]} attempt(s)", attempts[index]
                    )
                yield index, outcome
    except KeyboardInterrupt:
        waiting = [slot for slot in slots if slot.job is not None]
        arrived = [outcome for slot in waiting if (outcome := slot.arrived()) is not None]
        _stop(slots)
        raise JobsInterrupted(arrived) from None
    finally:
        _stop(slots)


_DIED = object()


class _Worker:
    """One spawned process fed one job at a time through a pipe; restarted after it dies."""

    def __init__(self) -> None:
        self.process: Any = None
        self.conn: Connection | None = None
        self.job: int | None = None
        self.death = ""

    def start(self, function: Callable[..., Any], args: tuple[Any, ...], index: int) -> None:
        if self.process is None or not self.process.is_alive():
            self._spawn()
        assert self.conn is not None
        self.conn.send((function, args))
        self.job = index

    def _spawn(self) -> None:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child,), daemon=True)
        with _sigint_held_back():  # the worker inherits SIGINT blocked: it never sees the terminal's Ctrl-C
            process.start()
        child.close()
        self.process, self.conn = process, parent

    def ready_handles(self) -> tuple[Any, ...]:
        return (self.conn, self.process.sentinel)

    def arrived(self) -> tuple[int, Any] | None:
        """The busy job's result if it is already waiting in the pipe (``None`` otherwise)."""
        try:
            if self.conn is not None and self.conn.poll():
                status, value = self.conn.recv()
                if status == "ok":
                    index, self.job = self.job, None
                    assert index is not None
                    return index, value
        except (EOFError, OSError):
            pass
        return None

    def collect(self) -> tuple[int, Any]:
        """The finished job's index and result (:data:`_DIED` when the process died instead)."""
        index, self.job = self.job, None
        assert index is not None and self.conn is not None
        try:
            if self.conn.poll():
                status, value = self.conn.recv()
                return index, value if status == "ok" else WorkerLost(value, 1)
        except (EOFError, OSError):
            pass
        self.process.join(STOP_SECONDS)
        code = self.process.exitcode
        self.death = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        self.conn.close()
        self.process = self.conn = None
        return index, _DIED


def _serve(conn: Connection) -> None:
    """A worker's loop: run each ``(function, args)`` received, send back ``("ok", result)`` or
    ``("error", message)``; ``None`` ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    single_threaded()
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        function, args = message
        try:
            reply: tuple[str, Any] = ("ok", function(*args))
        except Exception as exc:
            reply = ("error", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except Exception as exc:  # an unpicklable result
            conn.send(("error", f"the result could not be sent back: {type(exc).__name__}: {exc}"))


def _stop(slots: Sequence[_Worker]) -> None:
    """Idle workers are told to exit, busy ones are terminated; none outlives :data:`STOP_SECONDS`."""
    for slot in slots:
        if slot.process is None:
            continue
        if slot.job is None:
            with contextlib.suppress(OSError):
                slot.conn.send(None)  # type: ignore[union-attr]
        else:
            slot.process.terminate()
    for slot in slots:
        if slot.process is None:
            continue
        slot.process.join(STOP_SECONDS)
        if slot.process.is_alive():
            slot.process.kill()
            slot.process.join()
        slot.conn.close()  # type: ignore[union-attr]
        slot.process = slot.conn = slot.job = None


@contextlib.contextmanager
def _sigint_held_back() -> Iterator[None]:
    """Hold Ctrl-C back while a worker starts: the worker inherits SIGINT blocked (so it never
    dies of it), and a Ctrl-C that came meanwhile reaches this process when the block lifts,
    instead of being lost (as with ``SIG_IGN``, which dropped it and let the batch run on)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
