"""The server's one object: settings, job store, file store and worker pool, with the calls
every route uses (submit a job, read it, store an upload, find an output file)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

from mirloop.serve.files import FileStore, StoredFile
from mirloop.serve.pool import WorkerPool
from mirloop.serve.settings import ServeSettings
from mirloop.serve.store import Job, JobStore
from mirloop.serve.tasks import task


class Service:
    """What a running server holds; made by :func:`mirloop.serve.create_app`, reachable in a
    route as ``request.app.state.service`` (or the ``service`` dependency)."""

    def __init__(self, settings: ServeSettings) -> None:
        self.settings = settings
        settings.data.mkdir(parents=True, exist_ok=True)
        self.store = JobStore(settings.database, queue_limit=settings.queue_limit)
        self.files = FileStore(settings.data, self.store)
        self.pool = WorkerPool(settings, self.store)

    def start(self) -> dict[str, list[str]]:
        """Recover jobs a stopped server left running, start the workers, and load the catalog
        once (so that the first requests, checked against it, do not all build it at once)."""
        from mirloop.catalog import load_catalog

        recovered = self.pool.start()
        load_catalog()
        return recovered

    def stop(self) -> None:
        self.pool.stop()

    def submit(self, kind: str, params: Mapping[str, Any]) -> Job:
        """Check ``params`` for job kind ``kind`` (a MirloopError when they are bad), queue the
        job (:class:`~mirloop.serve.errors.QueueFull` when the queue is full) and wake a worker."""
        checked = task(kind).check(dict(params), self.settings)
        job = self.store.submit(kind, checked)
        self.pool.notify()
        return job

    def job(self, job_id: str) -> Job:
        """The job ``job_id`` as stored now; :class:`~mirloop.serve.errors.NotFound` if none."""
        return self.store.get(job_id)

    def upload(self, stream: BinaryIO, *, name: str | None) -> StoredFile:
        """Store an uploaded track (checked on its content; see :mod:`mirloop.serve.files`)."""
        return self.files.save_upload(stream, name=name, max_bytes=self.settings.max_upload_bytes)

    def output(self, job_id: str, name: str) -> Path:
        """The path of output ``name`` of job ``job_id`` (only names the job recorded)."""
        return self.files.output_path(self.store.get(job_id), name)
