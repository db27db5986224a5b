"""Process pools for batch work: spawned workers that use one thread of BLAS, OpenMP and numba each.

Every batch in mirloop (analysing folders, generating datasets, training networks, looping over
tracks) runs independent items on ``N`` processes; with ``N`` = cores, a worker that also
starts a thread per core for its matrix products oversubscribes the machine. Workers are
*spawned* (a fork of a parent that holds threads can deadlock) and limited to one thread: by
environment variables for libraries not yet loaded, and by ``threadpoolctl`` for those already
imported while the worker unpickled its task.

:class:`JobPool` is the pool of the per-track batches (``analyze``, ``loop``, ``dataset
generate``, through :class:`mirloop.executors.LocalExecutor`): its workers start once and run
every batch of a run, and :func:`run_jobs` is one batch on a pool made for it. Each worker runs
one job at a time, so the parent always knows which job a worker holds: a worker that dies
(killed, ``os._exit``, a crash in native code) costs only its own job, which is retried once
on a fresh worker and then reported as :class:`WorkerLost`; the other jobs go on, and the
fresh worker serves the later batches. Workers ignore Ctrl-C; the parent, on
``KeyboardInterrupt``, drops the queued jobs and stops every worker within
:data:`STOP_SECONDS`, then lets the interrupt through; a caller that stops iterating early has
the workers still on its jobs terminated.
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

from mirloop.errors import ExecutorError

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
#: Seconds a terminated worker gets to exit before it is killed.
STOP_SECONDS = 2.0


def single_threaded() -> None:
    """Limit this process to one compute thread (a pool initializer)."""
    for variable in THREAD_VARIABLES:
        os.environ[variable] = "1"
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def worker_process() -> None:
    """What every spawned worker does first (a pool initializer): one compute thread, and glibc's
    allocator set for large arrays whatever environment the worker inherited
    (:mod:`mirloop.allocator`)."""
    from mirloop.allocator import tune_allocator

    single_threaded()
    tune_allocator()


def process_pool(workers: int) -> cf.ProcessPoolExecutor:
    """A pool of ``workers`` spawned, single-threaded processes."""
    return cf.ProcessPoolExecutor(
        max(1, workers), mp_context=multiprocessing.get_context("spawn"), initializer=worker_process
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
    in the order they finish; the processes are started for these jobs and stopped after them
    (a :class:`JobPool` keeps its workers for the batches that follow).

    ``function`` must be importable by name and should report its own failures in its result;
    an exception it raises, or a worker that dies ``1 + retries`` times on the same job, comes
    back as a :class:`WorkerLost` result for that job only. Closing the iterator or an interrupt
    while waiting stops every worker at once (see the module docstring); an interrupt then raises
    :class:`JobsInterrupted` with the results that had already arrived but were not yielded.
    """
    pool = JobPool(max(1, min(workers, len(jobs))), keep_warm=False)
    try:
        yield from pool.run(function, jobs, retries=retries)
    finally:
        pool.close()


class JobPool:
    """``workers`` spawned, single-threaded processes that stay up between batches.

    Each :meth:`run` spreads a batch over them, one job per worker at a time; a worker runs
    ``initializer`` once when it starts (an importable function: loading libraries, registries,
    catalogs), then the jobs of every batch, so what a job caches in its process (backends,
    models, sound fonts) serves the later jobs and batches too. :meth:`start` spawns every worker
    at once, so that their start-up overlaps what this process does meanwhile; otherwise a worker
    is spawned when a batch first needs it. A worker that dies is replaced by a fresh one (at
    once with ``keep_warm``, else when a job needs it), so a crash in one batch does not reach
    the next. :meth:`close` stops them all within :data:`STOP_SECONDS`.
    """

    def __init__(
        self, workers: int, *, initializer: Callable[[], Any] | None = None, keep_warm: bool = True
    ) -> None:
        self.initializer = initializer
        self.keep_warm = keep_warm
        self._slots = [_Worker() for _ in range(max(1, workers))]
        self._running = False

    @property
    def size(self) -> int:
        """How many workers the pool holds at most."""
        return len(self._slots)

    @property
    def pids(self) -> list[int]:
        """The process ids of the workers now running (in slot order)."""
        return [slot.process.pid for slot in self._slots if slot.alive]

    def start(self) -> None:
        """Spawn every worker not already running."""
        for slot in self._slots:
            slot.ensure(self.initializer)

    def run(
        self, function: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], *, retries: int = 1
    ) -> Iterator[tuple[int, Any]]:
        """``function(*job)`` for every job, as :func:`run_jobs` describes; a batch of fewer jobs
        than workers goes to the running ones first. One batch at a time: a second one started
        before the first is done or closed is refused."""
        if self._running:
            raise ExecutorError(
                "this pool is still running a batch: finish or close it before starting the next one"
            )
        self._running = True
        todo = deque(range(len(jobs)))
        attempts = [0] * len(jobs)
        slots = sorted(self._slots, key=lambda slot: not slot.alive)[: max(1, min(self.size, len(jobs)))]
        try:
            while todo or any(slot.job is not None for slot in slots):
                for slot in slots:
                    if slot.job is None and todo:
                        index = todo.popleft()
                        attempts[index] += 1
                        slot.start(function, jobs[index], index, self.initializer)
                busy = {slot.ready_handles(): slot for slot in slots if slot.job is not None}
                ready = set(wait([handle for handles in busy for handle in handles]))
                for handles, slot in busy.items():
                    if not ready.intersection(handles):
                        continue
                    collected = slot.collect()
                    if collected is None:  # only the worker's "ready" note had come
                        continue
                    index, outcome = collected
                    if outcome is _DIED:
                        if self.keep_warm:
                            slot.ensure(self.initializer)  # its replacement starts up while the others work
                        if attempts[index] <= retries:
                            todo.appendleft(index)
                            continue
                        tries = attempts[index]
                        outcome = WorkerLost(f"worker process died ({slot.death}) on {tries} attempt(s)",
                                             tries)
                    yield index, outcome
        except KeyboardInterrupt:
            waiting = [slot for slot in slots if slot.job is not None]
            arrived = [outcome for slot in waiting if (outcome := slot.arrived()) is not None]
            _stop(self._slots)
            raise JobsInterrupted(arrived) from None
        finally:
            _stop([slot for slot in slots if slot.job is not None])  # the batch was left early
            self._running = False

    def close(self) -> None:
        """Stop every worker: idle ones are told to exit, busy or still starting ones terminated."""
        _stop(self._slots)

    def __enter__(self) -> JobPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_DIED = object()
#: What a worker sends once its initializer has run, before any result.
_READY = "ready"


class _Worker:
    """One spawned process fed one job at a time through a pipe; replaced after it dies."""

    def __init__(self) -> None:
        self.process: Any = None
        self.conn: Connection | None = None
        self.job: int | None = None
        self.ready = False
        self.death = ""

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.is_alive()

    def ensure(self, initializer: Callable[[], Any] | None) -> None:
        """Spawn the process unless it is running (a dead one's pipe is closed first)."""
        if self.alive:
            return
        if self.conn is not None:
            self.conn.close()
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, initializer), daemon=True)
        with _sigint_held_back():  # the worker inherits SIGINT blocked: it never sees the terminal's Ctrl-C
            process.start()
        child.close()
        self.process, self.conn, self.ready = process, parent, False

    def start(
        self, function: Callable[..., Any], args: tuple[Any, ...], index: int,
        initializer: Callable[[], Any] | None,
    ) -> None:
        self.ensure(initializer)
        assert self.conn is not None
        self.job = index
        with contextlib.suppress(OSError):  # a worker that just died: its sentinel reports it
            self.conn.send((function, args))

    def ready_handles(self) -> tuple[Any, ...]:
        return (self.conn, self.process.sentinel)

    def _reply(self) -> tuple[str, Any] | None:
        """The worker's next reply if one is waiting in the pipe, past its "ready" note."""
        assert self.conn is not None
        while self.conn.poll():
            status, value = self.conn.recv()
            if status != _READY:
                return status, value
            self.ready = True
        return None

    def arrived(self) -> tuple[int, Any] | None:
        """The busy job's result if it is already waiting in the pipe (``None`` otherwise)."""
        try:
            reply = self._reply()
        except (EOFError, OSError):
            return None
        if reply is not None and reply[0] == "ok":
            index, self.job = self.job, None
            assert index is not None
            return index, reply[1]
        return None

    def collect(self) -> tuple[int, Any] | None:
        """The finished job's index and result (:data:`_DIED` when the process died instead), or
        ``None`` when the job is still running."""
        assert self.job is not None and self.conn is not None
        try:
            reply = self._reply()
        except (EOFError, OSError):
            reply = None
        if reply is not None:
            index, self.job = self.job, None
            status, value = reply
            return index, value if status == "ok" else WorkerLost(value, 1)
        if self.process.is_alive():
            return None
        index, self.job = self.job, None
        self.process.join(STOP_SECONDS)
        code = self.process.exitcode
        self.death = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        self.conn.close()
        self.process = self.conn = None
        return index, _DIED


def _serve(conn: Connection, initializer: Callable[[], Any] | None = None) -> None:
    """A worker's loop: run ``initializer`` (its failure is left for the jobs to meet and
    report), say it is ready, then run each ``(function, args)`` received and send back
    ``("ok", result)`` or ``("error", message)``; ``None`` ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    worker_process()
    if initializer is not None:
        with contextlib.suppress(Exception):
            initializer()
    conn.send((_READY, os.getpid()))
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
        except OSError:  # the parent is gone (killed or interrupted): nobody to tell
            return
        except Exception as exc:  # an unpicklable result
            try:
                conn.send(("error", f"the result could not be sent back: {type(exc).__name__}: {exc}"))
            except OSError:
                return


def _stop(slots: Sequence[_Worker]) -> None:
    """Ready idle workers are told to exit, busy and still starting ones terminated; none
    outlives :data:`STOP_SECONDS`."""
    stopping = [slot for slot in slots if slot.process is not None]
    for slot in stopping:
        with contextlib.suppress(EOFError, OSError):
            if slot.job is None:
                slot._reply()  # picks up a "ready" note that came meanwhile
        if slot.job is None and slot.ready:
            with contextlib.suppress(OSError):
                slot.conn.send(None)  # type: ignore[union-attr]
        else:
            slot.process.terminate()
    for slot in stopping:
        slot.process.join(STOP_SECONDS)
        if slot.process.is_alive():
            slot.process.kill()
            slot.process.join()
        slot.conn.close()  # type: ignore[union-attr]
        slot.process = slot.conn = slot.job = None
        slot.ready = False


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
