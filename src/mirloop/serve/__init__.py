"""``mirloop serve``: one process serving Amper's render API and the web app, on embedded defaults.

SQLite (``DATA/mirloop.db``) holds jobs and upload records; files live under ``DATA``; a small
pool of worker processes runs the jobs. Python API::

    from mirloop.serve import ServeSettings, create_app
    app = create_app(ServeSettings.from_env("data/", workers=2))   # a FastAPI app
    svc = app.state.service                                        # mirloop.serve.Service
    job = svc.submit("render", {"timeline": {...}, "preset": "MASTER_WAV"})
    svc.job(job.id).state, .stage, .progress, .files               # poll
"""

from mirloop.serve.app import ROUTERS, create_app
from mirloop.serve.errors import NotFound, QueueFull, ServeError, UploadRefused
from mirloop.serve.files import FileStore, StoredFile
from mirloop.serve.service import Service
from mirloop.serve.settings import Faults, ServeSettings
from mirloop.serve.store import Job, JobState, JobStore

__all__ = [
    "ROUTERS",
    "Faults",
    "FileStore",
    "Job",
    "JobState",
    "JobStore",
    "NotFound",
    "QueueFull",
    "ServeError",
    "ServeSettings",
    "Service",
    "StoredFile",
    "UploadRefused",
    "create_app",
]
