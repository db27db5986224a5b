"""The job store: one SQLite database under the data folder, shared by the server and its workers.

A job moves ``queued`` → ``running`` → ``done`` or ``failed``; while it runs, its worker records
a ``stage`` (free text such as ``compose`` or ``render``) and a ``progress`` in percent. Each
start of a job is a new *run* (1, 2, …): a worker's updates name their run and are ignored once
the job has moved on (re-queued after a server restart, or finished by another run), so a worker
left over from a killed server can never overwrite a newer run's outcome.

:meth:`JobStore.recover`, called when a server starts, re-queues every job a stopped server left
running (or marks it failed once it has used its attempts): no accepted job is silently lost.
Every connection runs in WAL mode with a busy timeout, so the server's threads and the worker
processes write concurrently.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any

from attrs import frozen

from mirloop.serve.errors import NotFound, QueueFull

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    stage TEXT NOT NULL DEFAULT '',
    progress REAL NOT NULL DEFAULT 0,
    params TEXT NOT NULL,
    result TEXT,
    error TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, created);
CREATE TABLE IF NOT EXISTS files (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    info TEXT NOT NULL,
    created REAL NOT NULL
);
"""


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED)


@frozen
class Job:
    """One job as stored. ``run`` is the number of its current (or last) start, 0 before the first;
    ``result`` is what its task returned (``result["files"]`` lists its output files by name)."""

    id: str
    kind: str
    state: JobState
    stage: str
    progress: float
    params: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None
    run: int
    created: float
    updated: float

    @property
    def files(self) -> list[str]:
        """Names of the job's output files (relative to its output folder), once it is done."""
        return list((self.result or {}).get("files", []))


def new_id() -> str:
    """A fresh random identifier (32 hex digits): never derived from user input."""
    return uuid.uuid4().hex


def is_id(text: str) -> bool:
    """Whether ``text`` has the form of an identifier made by :func:`new_id`."""
    return len(text) == 32 and all(c in "0123456789abcdef" for c in text)


class JobStore:
    """Jobs (and upload records, see :mod:`mirloop.serve.files`) in the SQLite file ``path``."""

    def __init__(self, path: str | Path, *, queue_limit: int = 32) -> None:
        self.path = Path(path)
        self.queue_limit = queue_limit
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in autocommit mode (open transactions explicitly), closed afterwards."""
        db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            yield db
        finally:
            db.close()

    def submit(self, kind: str, params: Mapping[str, Any]) -> Job:
        """Queue a new job; :class:`QueueFull` when ``queue_limit`` jobs already wait or run."""
        now = time.time()
        job_id = new_id()
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                (active,) = db.execute(
                    "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')"
                ).fetchone()
                if active >= self.queue_limit:
                    raise QueueFull(
                        f"the job queue is full ({active} of {self.queue_limit} jobs waiting or running); "
                        "retry later"
                    )
                db.execute(
                    "INSERT INTO jobs (id, kind, state, params, created, updated) VALUES (?, ?, ?, ?, ?, ?)",
                    (job_id, kind, JobState.QUEUED, json.dumps(dict(params)), now, now),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return self.get(job_id)

    def get(self, job_id: str) -> Job:
        """The job ``job_id``; :class:`NotFound` when there is none."""
        with self.connect() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise NotFound(f"no job {job_id!r}")
        return _job(row)

    def jobs(self, *, kind: str | None = None, limit: int = 100) -> list[Job]:
        """The newest ``limit`` jobs (of ``kind``), newest first."""
        query = "SELECT * FROM jobs" + (" WHERE kind = ?" if kind else "") + " ORDER BY created DESC LIMIT ?"
        args: tuple[Any, ...] = (kind, limit) if kind else (limit,)
        with self.connect() as db:
            return [_job(row) for row in db.execute(query, args)]

    def active(self) -> int:
        """How many jobs wait or run."""
        with self.connect() as db:
            (count,) = db.execute("SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')").fetchone()
        return int(count)

    def claim(self) -> Job | None:
        """Start the oldest queued job (a new run), or ``None`` when none waits."""
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute(
                    "SELECT id FROM jobs WHERE state = 'queued' ORDER BY created LIMIT 1"
                ).fetchone()
                if row is not None:
                    db.execute(
                        "UPDATE jobs SET state = 'running', stage = '', progress = 0, "
                        "attempts = attempts + 1, updated = ? WHERE id = ?",
                        (time.time(), row["id"]),
                    )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return None if row is None else self.get(row["id"])

    def _update_run(self, job_id: str, run: int, sets: str, args: tuple[Any, ...]) -> bool:
        with self.connect() as db:
            cursor = db.execute(
                f"UPDATE jobs SET {sets}, updated = ? WHERE id = ? AND attempts = ? AND state = 'running'",
                (*args, time.time(), job_id, run),
            )
        return cursor.rowcount == 1

    def progress(self, job_id: str, run: int, stage: str, percent: float) -> bool:
        """Record the stage and progress of run ``run``; ``False`` when that run is no longer current."""
        clipped = max(0.0, min(100.0, percent))
        return self._update_run(job_id, run, "stage = ?, progress = ?", (stage, clipped))

    def finish(self, job_id: str, run: int, result: Mapping[str, Any]) -> bool:
        """Mark run ``run`` done with ``result``; ``False`` when that run is no longer current."""
        return self._update_run(
            job_id, run, "state = 'done', progress = 100, result = ?", (json.dumps(dict(result)),)
        )

    def fail(self, job_id: str, run: int, error: str) -> bool:
        """Mark run ``run`` failed with ``error``; ``False`` when that run is no longer current."""
        return self._update_run(job_id, run, "state = 'failed', error = ?", (error,))

    def retry_or_fail(self, job_id: str, run: int, error: str, *, max_attempts: int) -> JobState | None:
        """After run ``run`` was lost (its worker died): queue the job again while it has attempts
        left, else mark it failed with ``error``. Returns the new state (``None``: run not current)."""
        with self.connect() as db:
            cursor = db.execute(
                "UPDATE jobs SET state = CASE WHEN attempts < ? THEN 'queued' ELSE 'failed' END, "
                "error = CASE WHEN attempts < ? THEN NULL ELSE ? END, stage = '', progress = 0, updated = ? "
                "WHERE id = ? AND attempts = ? AND state = 'running'",
                (max_attempts, max_attempts, error, time.time(), job_id, run),
            )
        return None if cursor.rowcount != 1 else self.get(job_id).state

    def recover(self, *, max_attempts: int) -> dict[str, list[str]]:
        """Jobs a stopped server left running: queued again, or failed once out of attempts.

        Returns the ids ``{"requeued": [...], "failed": [...]}``.
        """
        error = f"the server stopped while this job ran, {max_attempts} times; it was not started again"
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                rows = db.execute("SELECT id, attempts FROM jobs WHERE state = 'running'").fetchall()
                requeued = [r["id"] for r in rows if r["attempts"] < max_attempts]
                failed = [r["id"] for r in rows if r["attempts"] >= max_attempts]
                now = time.time()
                db.executemany(
                    "UPDATE jobs SET state = 'queued', stage = '', progress = 0, updated = ? WHERE id = ?",
                    [(now, i) for i in requeued],
                )
                db.executemany(
                    "UPDATE jobs SET state = 'failed', error = ?, updated = ? WHERE id = ?",
                    [(error, now, i) for i in failed],
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return {"requeued": requeued, "failed": failed}


def _job(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"],
        kind=row["kind"],
        state=JobState(row["state"]),
        stage=row["stage"],
        progress=float(row["progress"]),
        params=json.loads(row["params"]),
        result=None if row["result"] is None else json.loads(row["result"]),
        error=row["error"],
        run=int(row["attempts"]),
        created=float(row["created"]),
        updated=float(row["updated"]),
    )
