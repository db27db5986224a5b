"""``/v1``: Amper's simple-render API subset, rendered by the configured renderer backend.

``POST /v1/simple_renders`` queues a render (202; 422 for a bad timeline, 429 when the queue
is full); ``GET /v1/simple_renders/{id}`` reports its status (``WAITING_COMPOSE`` →
``RUNNING_COMPOSE`` → ``WAITING_RENDER`` → ``RUNNING_RENDER`` → ``CREATED`` or
``FAILED_CREATE``), ``progress_percent`` and ``files``; ``GET /v1/entities/{descriptor|band|
instrument}`` lists the catalog. Every route takes the optional API key (401/403).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse

from mirloop.serve.amper.bodies import (
    EntityList,
    ErrorResponse,
    RenderAttributes,
    RenderFile,
    RenderRequest,
    RenderResource,
    RenderResponse,
    render_status,
)
from mirloop.serve.amper.entities import entities
from mirloop.serve.api import ServiceDep
from mirloop.serve.auth import require_api_key
from mirloop.serve.errors import NotFound
from mirloop.serve.files import content_type
from mirloop.serve.service import Service
from mirloop.serve.store import Job

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in {
        401: "no API key sent (the server requires one)",
        403: "the API key is not accepted",
        404: "no such render or file",
        422: "the request or its timeline is invalid",
        429: "the render queue is full; retry after Retry-After seconds",
    }.items()
}

router = APIRouter(prefix="/v1", tags=["amper"], dependencies=[Depends(require_api_key)], responses=ERRORS)


def render_job(svc: Service, render_id: str) -> Job:
    job = svc.job(render_id)
    if job.kind != "render":
        raise NotFound(f"no render {render_id!r}")
    return job


def render_response(job: Job, svc: Service, request: Request) -> RenderResponse:
    files = []
    for name in job.files:
        path = svc.files.output_folder(job) / name
        files.append(
            RenderFile(
                name=name,
                content_type=content_type(name),
                size=path.stat().st_size if path.is_file() else 0,
                download_url=str(request.url_for("render_file", render_id=job.id, name=name)),
            )
        )
    result = job.result or {}
    return RenderResponse(
        data=RenderResource(
            id=job.id,
            attributes=RenderAttributes(
                status=render_status(job),
                progress_percent=round(job.progress, 1),
                preset=job.params.get("preset", "MASTER_WAV"),
                files=files,
                error=job.error,
                seed=result.get("seed", job.params.get("seed")),
                duration=result.get("duration"),
                created=job.created,
                updated=job.updated,
            ),
        )
    )


@router.post("/simple_renders", status_code=202)
def create_render(body: RenderRequest, request: Request, svc: ServiceDep) -> RenderResponse:
    """Queue a render of a timeline with a preset (``MASTER_WAV``, ``MASTER_MP3``, ``STEMS_WAV``)."""
    attributes = body.data.attributes
    params = {"timeline": attributes.timeline, "preset": attributes.preset, "seed": attributes.seed}
    job = svc.submit("render", params)
    return render_response(job, svc, request)


@router.get("/simple_renders/{render_id}")
def get_render(render_id: str, request: Request, svc: ServiceDep) -> RenderResponse:
    """A render's status, progress and (once ``CREATED``) files."""
    return render_response(render_job(svc, render_id), svc, request)


@router.get("/simple_renders/{render_id}/files/{name:path}", name="render_file", response_class=FileResponse)
def render_file(render_id: str, name: str, svc: ServiceDep) -> FileResponse:
    """One file of a finished render (only the names its ``files`` list)."""
    path = svc.files.output_path(render_job(svc, render_id), name)
    return FileResponse(path, media_type=content_type(name), filename=path.name)


@router.get("/entities/{kind}")
def list_entities(kind: Literal["descriptor", "band", "instrument"]) -> EntityList:
    """The catalog's descriptors, bands or instruments."""
    from mirloop.catalog import load_catalog

    catalog = load_catalog()
    items = entities(catalog, kind)
    meta = {"count": len(items), "catalog_version": catalog.version}
    return EntityList.model_validate({"data": items, "meta": meta})
