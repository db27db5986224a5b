"""The file store: uploads and job outputs under the data folder, never at a path a client chose.

An upload is streamed to a temporary file, refused past the size limit, then opened as audio:
its type comes from its content (what libsndfile reads it as), never from its name or the
``Content-Type`` a client sent. It is kept as ``files/<id>`` (``id`` random); the client's file
name is kept only as a display label. A job's outputs stay in the folder of the run that
finished it, ``jobs/<job id>/run-<n>/``, and a download is served only for a name the job itself
recorded among its files, resolved inside that folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any, BinaryIO

from attrs import frozen

from mirloop.limits import MAX_TRACK_HOURS
from mirloop.serve.errors import NotFound, TooLarge, UploadRefused
from mirloop.serve.store import Job, JobStore, is_id, new_id

#: libsndfile container -> the content type an upload of it is stored and served with.
AUDIO_TYPES: dict[str, str] = {
    "WAV": "audio/wav",
    "WAVEX": "audio/wav",
    "FLAC": "audio/flac",
    "OGG": "audio/ogg",
    "MP3": "audio/mpeg",
    "AIFF": "audio/aiff",
}
#: Output file suffix -> content type of a download.
OUTPUT_TYPES: dict[str, str] = {
    ".wav": "audio/wav",
    ".flac": "audio/flac",
    ".ogg": "audio/ogg",
    ".mp3": "audio/mpeg",
    ".mid": "audio/midi",
    ".json": "application/json",
    ".jams": "application/json",
    ".csv": "text/csv",
    ".parquet": "application/vnd.apache.parquet",
    ".png": "image/png",
    ".html": "text/html",
}
CHUNK = 1 << 16
RUN_FOLDER = re.compile(r"run-[0-9]{1,9}")


@frozen
class StoredFile:
    """An accepted upload: ``id`` names it, ``name`` is the client's label (display only),
    ``info`` holds ``duration`` (s), ``sr`` (Hz), ``channels`` and ``format``."""

    id: str
    name: str
    content_type: str
    size: int
    sha256: str
    info: dict[str, Any]
    created: float


def display_name(name: str | None) -> str:
    """A client's file name reduced to a harmless label: its last path part, printable, ≤ 120 chars."""
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if c.isprintable()).strip()
    return text[:120] or "upload"


class FileStore:
    """Uploads and job outputs under ``data``; records in the job store's database."""

    def __init__(self, data: str | Path, store: JobStore) -> None:
        self.data = Path(data)
        self.store = store
        for sub in ("files", "jobs", "tmp"):
            (self.data / sub).mkdir(parents=True, exist_ok=True)

    # uploads -------------------------------------------------------------------------------
    def save_upload(self, stream: BinaryIO, *, name: str | None, max_bytes: int) -> StoredFile:
        """Store the audio read from ``stream`` (at most ``max_bytes``); :class:`UploadRefused`
        (or :class:`TooLarge`) when it is too big, empty or not audio."""
        digest = hashlib.sha256()
        size = 0
        handle, temporary = tempfile.mkstemp(dir=self.data / "tmp", prefix="upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(
                            f"the upload is larger than the limit of {max_bytes / 1048576:.3g} MB; "
                            "send a shorter or compressed track (FLAC, OGG or MP3)"
                        )
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0:
                raise UploadRefused("the upload is empty; send an audio file (WAV, FLAC, OGG, MP3 or AIFF)")
            info = audio_info(Path(temporary))
            record = StoredFile(
                id=new_id(),
                name=display_name(name),
                content_type=AUDIO_TYPES[info["format"]],
                size=size,
                sha256=digest.hexdigest(),
                info=info,
                created=time.time(),
            )
            os.replace(temporary, self.upload_path(record.id))
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        with self.store.connect() as db:
            db.execute(
                "INSERT INTO files (id, name, content_type, size, sha256, info, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (record.id, record.name, record.content_type, record.size, record.sha256,
                 json.dumps(record.info), record.created),
            )
        return record

    def upload(self, file_id: str) -> StoredFile:
        """The upload ``file_id``; :class:`NotFound` when there is none."""
        if not is_id(file_id):
            raise NotFound(f"no file {file_id!r}")
        with self.store.connect() as db:
            row = db.execute("SELECT * FROM files WHERE id = ?", (file_id,)).fetchone()
        if row is None:
            raise NotFound(f"no file {file_id!r}")
        return StoredFile(
            id=row["id"], name=row["name"], content_type=row["content_type"], size=int(row["size"]),
            sha256=row["sha256"], info=json.loads(row["info"]), created=float(row["created"]),
        )

    def upload_path(self, file_id: str) -> Path:
        """Where the upload ``file_id`` is kept (the id is checked, never joined unchecked)."""
        if not is_id(file_id):
            raise NotFound(f"no file {file_id!r}")
        return self.data / "files" / file_id

    # job outputs ----------------------------------------------------------------------------
    def job_folder(self, job_id: str) -> Path:
        if not is_id(job_id):
            raise NotFound(f"no job {job_id!r}")
        return self.data / "jobs" / job_id

    def run_folder(self, job_id: str, run: int) -> Path:
        """Where run ``run`` of a job writes its files (``jobs/<id>/run-<run>``)."""
        return self.job_folder(job_id) / f"run-{int(run)}"

    def output_folder(self, job: Job) -> Path:
        """Where a finished job's files are: the folder of the run that finished it, as recorded
        with its result (so a stale run can never replace them)."""
        folder = (job.result or {}).get("folder")
        if not isinstance(folder, str) or RUN_FOLDER.fullmatch(folder) is None:
            raise NotFound(f"job {job.id} has no files (it is {job.state})")
        return self.job_folder(job.id) / folder

    def output_path(self, job: Job, name: str) -> Path:
        """The output file ``name`` of ``job``: only a name the job recorded, inside its folder."""
        if name not in job.files:
            listed = ", ".join(job.files) or "none"
            raise NotFound(f"job {job.id} has no file {name!r}; its files are {listed}")
        folder = self.output_folder(job).resolve()
        path = (folder / name).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            raise NotFound(f"job {job.id} has no file {name!r}")
        return path

    @staticmethod
    def outputs(folder: Path) -> list[str]:
        """The files under a run's ``folder`` (relative POSIX names, sorted), each checked to be a
        regular file inside it (a link out of it is refused)."""
        root = folder.resolve()
        names = []
        for path in sorted(folder.rglob("*")):
            if path.is_dir() and not path.is_symlink():
                continue
            if not path.resolve().is_relative_to(root) or not path.resolve().is_file():
                raise UploadRefused(f"a job output {path.name!r} is not a file in its folder")
            names.append(path.relative_to(folder).as_posix())
        return names

    def prune_runs(self, job_id: str, *, keep: str | None = None) -> None:
        """Remove the run folders of a job except ``keep`` (older or abandoned runs)."""
        for folder in self.job_folder(job_id).glob("run-*"):
            if folder.name != keep:
                shutil.rmtree(folder, ignore_errors=True)


def content_type(name: str) -> str:
    """The content type of an output file, by its (server-chosen) suffix."""
    return OUTPUT_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


def audio_info(path: Path) -> dict[str, Any]:
    """``format``, ``duration``, ``sr`` and ``channels`` of the audio in ``path``, read from its
    content; :class:`UploadRefused` when it is not audio libsndfile reads, or is empty or too long."""
    import soundfile as sf

    try:
        info = sf.info(str(path))
    except (RuntimeError, sf.LibsndfileError, ValueError):
        raise UploadRefused(
            "the upload is not audio mirloop can read; send WAV, FLAC, OGG, MP3 or AIFF "
            "(the content decides, not the file name)"
        ) from None
    if info.format not in AUDIO_TYPES:
        raise UploadRefused(f"audio of format {info.format} is not accepted; send WAV, FLAC, OGG, MP3, AIFF")
    if info.frames <= 0 or info.samplerate <= 0:
        raise UploadRefused("the upload holds no audio frames; send a track that is not empty")
    duration = info.frames / info.samplerate
    MAX_TRACK_HOURS.check(duration / 3600.0, "the upload lasts", error=UploadRefused)
    sr, channels = int(info.samplerate), int(info.channels)
    return {"format": info.format, "duration": duration, "sr": sr, "channels": channels}
