"""The web app's JSON API: uploads, jobs of any kind, and their files (``/api/...``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from mirloop.serve.files import content_type
from mirloop.serve.service import Service
from mirloop.serve.store import Job

router = APIRouter(prefix="/api", tags=["jobs"])


def service(request: Request) -> Service:
    """The running server's :class:`Service` (a FastAPI dependency)."""
    found: Service = request.app.state.service
    return found


ServiceDep = Annotated[Service, Depends(service)]


class UploadOut(BaseModel):
    id: str
    name: str
    content_type: str
    size: int
    info: dict[str, Any]


class JobIn(BaseModel):
    kind: str = Field(description="job kind, e.g. render or analysis")
    params: dict[str, Any] = Field(default_factory=dict)


class JobFile(BaseModel):
    name: str
    content_type: str
    url: str


class JobOut(BaseModel):
    id: str
    kind: str
    state: str
    stage: str
    progress: float
    error: str | None
    result: dict[str, Any] | None
    files: list[JobFile]
    created: float
    updated: float


def job_out(job: Job, request: Request) -> JobOut:
    return JobOut(
        id=job.id, kind=job.kind, state=job.state.value, stage=job.stage, progress=job.progress,
        error=job.error, result=job.result, created=job.created, updated=job.updated,
        files=[
            JobFile(name=n, content_type=content_type(n),
                    url=str(request.url_for("job_file", job_id=job.id, name=n)))
            for n in job.files
        ],
    )


@router.post("/uploads", status_code=201)
def upload(file: UploadFile, svc: ServiceDep) -> UploadOut:
    """Store an audio track (WAV, FLAC, OGG, MP3, AIFF; checked on its content)."""
    stored = svc.upload(file.file, name=file.filename)
    return UploadOut(id=stored.id, name=stored.name, content_type=stored.content_type, size=stored.size,
                     info=stored.info)


@router.post("/jobs", status_code=202)
def submit(body: JobIn, request: Request, svc: ServiceDep) -> JobOut:
    """Queue a job (429 when the queue is full, 422 when its parameters are bad)."""
    return job_out(svc.submit(body.kind, body.params), request)


@router.get("/jobs/{job_id}")
def job(job_id: str, request: Request, svc: ServiceDep) -> JobOut:
    """A job's state, stage, progress, result and files."""
    return job_out(svc.job(job_id), request)


@router.get("/jobs/{job_id}/files/{name:path}", name="job_file", response_class=FileResponse)
def job_file(job_id: str, name: str, svc: ServiceDep) -> FileResponse:
    """One output file of a job (only the names the job lists)."""
    path = svc.output(job_id, name)
    return FileResponse(path, media_type=content_type(name), filename=path.name)
