"""Request and response bodies of the Amper API subset (JSON:API style ``data`` envelopes)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from mirloop.serve.store import Job, JobState

Preset = Literal["MASTER_WAV", "MASTER_MP3", "STEMS_WAV"]
Status = Literal[
    "WAITING_COMPOSE", "RUNNING_COMPOSE", "WAITING_RENDER", "RUNNING_RENDER", "CREATED", "FAILED_CREATE"
]

#: Stage a render job records while running -> the Amper status it shows.
RUNNING_STATUS: dict[str, Status] = {
    "": "WAITING_COMPOSE",
    "compose": "RUNNING_COMPOSE",
    "waiting_render": "WAITING_RENDER",
    "render": "RUNNING_RENDER",
    "write": "RUNNING_RENDER",
}


def render_status(job: Job) -> Status:
    """The Amper status of a render job."""
    if job.state is JobState.QUEUED:
        return "WAITING_COMPOSE"
    if job.state is JobState.DONE:
        return "CREATED"
    if job.state is JobState.FAILED:
        return "FAILED_CREATE"
    return RUNNING_STATUS.get(job.stage, "RUNNING_RENDER")


class RenderAttributesIn(BaseModel):
    timeline: dict[str, Any] = Field(description="an Amper timeline (the object, or {\"timeline\": {...}})")
    preset: Preset = "MASTER_WAV"
    seed: int | None = Field(default=None, ge=0, lt=2**31, description="fixes every random choice")


class RenderDataIn(BaseModel):
    type: Literal["simple_renders"]
    attributes: RenderAttributesIn


class RenderRequest(BaseModel):
    data: RenderDataIn


class RenderFile(BaseModel):
    name: str
    content_type: str
    size: int
    download_url: str


class RenderAttributes(BaseModel):
    status: Status
    progress_percent: float
    preset: Preset
    files: list[RenderFile]
    error: str | None = None
    seed: int | None = None
    duration: float | None = None
    created: float
    updated: float


class RenderResource(BaseModel):
    type: Literal["simple_renders"] = "simple_renders"
    id: str
    attributes: RenderAttributes


class RenderResponse(BaseModel):
    data: RenderResource


class Entity(BaseModel):
    type: str
    id: str
    attributes: dict[str, Any]


class EntityList(BaseModel):
    data: list[Entity]
    meta: dict[str, Any]


class ErrorItem(BaseModel):
    status: str
    title: str
    detail: str


class ErrorResponse(BaseModel):
    errors: list[ErrorItem]
