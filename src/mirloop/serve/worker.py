"""What runs in a worker process: one job run, from the job store to its published files.

Workers are spawned, single-threaded processes (:func:`mirloop.parallel.single_threaded`) that
also watch their parent: a worker whose server died (``kill -9``) exits within a second rather
than finishing a run the restarted server has already queued again.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import shutil
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from attrs import frozen

from mirloop.errors import MirloopError
from mirloop.serve.files import FileStore
from mirloop.serve.settings import ServeSettings, faulty
from mirloop.serve.store import Job, JobStore
from mirloop.serve.tasks import task

log = logging.getLogger("mirloop.serve")
#: How much lower than the server's the workers' CPU priority is.
WORKER_NICENESS = 5
#: Render jobs this process has run, for the ``fail_renders`` fault's even spread.
_RENDER_JOBS = itertools.count()


class JobAbandoned(Exception):
    """The run is no longer the job's current one (the job was re-queued or finished elsewhere)."""


class InjectedFault(MirloopError):
    """A failure the server's fault-injection setting asked for."""


@frozen
class JobContext:
    """What a task sees: its job, the stores, the settings, and ``workdir`` for its files."""

    job: Job
    store: JobStore
    files: FileStore
    settings: ServeSettings
    workdir: Path

    def progress(self, stage: str, percent: float) -> None:
        """Record the run's stage and progress (0–100); stops the run if the job moved on."""
        if not self.store.progress(self.job.id, self.job.run, stage, percent):
            raise JobAbandoned(self.job.id)


def init_worker(parent: int, settings: ServeSettings) -> None:
    """Pool initializer: one compute thread, exit when the server process ``parent`` is gone, and
    warm the renderer up (see :func:`warm_up`)."""
    from mirloop.parallel import single_threaded

    single_threaded()
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)  # the API answers promptly while workers render

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(3)
            time.sleep(0.5)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
    if settings.warm_up:
        warm_up(settings)


def warm_up(settings: ServeSettings) -> None:
    """Render half a second once with the configured built-in renderer, so that the worker's first
    job does not pay for loading the SoundFont and the compiled DSP code (seconds). Any failure is
    left for the real jobs to report."""
    try:
        from mirloop.serve.tasks.render import renderer_for
        from mirloop.timeline import single_region

        renderer = renderer_for(settings, stems=False)
        if getattr(renderer, "name", "") == "mirloop":
            renderer.render(single_region("ambient_chill_dreamy", 0.5, seed=0), seed=0)
    except Exception as exc:
        log.debug("warm-up render failed (%s: %s); jobs will report it", type(exc).__name__, exc)


def run_job(settings: ServeSettings, job_id: str, run: int) -> str:
    """Run ``job_id`` (its run ``run``) to the end; returns the state it was left in."""
    store = JobStore(settings.database, queue_limit=settings.queue_limit)
    files = FileStore(settings.data, store)
    job = store.get(job_id)
    if job.run != run:
        return "abandoned"
    staging = files.run_folder(job_id, run)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    ctx = JobContext(job=job, store=store, files=files, settings=settings, workdir=staging)
    state = "abandoned"
    try:
        fail_share = settings.faults.fail_renders if job.kind == "render" else 0.0
        if fail_share and faulty(next(_RENDER_JOBS), fail_share):
            raise InjectedFault("the render failed: a fault injected by the server's fault setting")
        result: dict[str, Any] = dict(task(job.kind).run(ctx, job.params))
        result["files"] = files.outputs(staging)
        result["folder"] = staging.name
        state = "done" if store.finish(job_id, run, result) else "abandoned"
    except JobAbandoned:
        state = "abandoned"
    except MirloopError as exc:
        state = "failed" if store.fail(job_id, run, str(exc)) else "abandoned"
    except Exception as exc:  # a bug: the job fails with the exception named, the trace goes to the log
        log.error("job %s (%s) crashed:\n%s", job_id, job.kind, traceback.format_exc())
        error = f"internal error: {type(exc).__name__}: {exc}"
        state = "failed" if store.fail(job_id, run, error) else "abandoned"
    finally:
        if state == "done":  # the files stay where this run wrote them; older runs' go
            files.prune_runs(job_id, keep=staging.name)
        else:
            shutil.rmtree(staging, ignore_errors=True)
    return state
