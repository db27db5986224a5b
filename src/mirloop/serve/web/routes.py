"""The web app's pages: server-rendered HTML over the serve core's job store.

* ``GET /`` — upload a reference track or pick a bundled example; the tracks so far.
* ``POST /tracks`` — store the upload (checked on its content) and queue a ``track`` job.
* ``GET /tracks/{id}`` — progress per stage, then the analysis view and the form that changes a
  segment's descriptor, tempo or key; ``POST /tracks/{id}/renders`` queues a ``track_render`` job.
* ``GET /renders/{id}`` — progress, then the reference and every render side by side with their
  boundaries, and the downloads (WAV, FLAC, MIDI, stems, timeline JSON, JAMS).
* ``GET /catalog`` — the descriptor catalog; ``POST /catalog/audition`` renders a short example
  of a descriptor (a ``render`` job, reused when one exists) for the page to play.

Progress is read by the page's script from ``GET /api/jobs/{id}``; files are served by
``GET /api/jobs/{id}/files/{name}`` (only names a job recorded).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from mirloop.errors import MirloopError
from mirloop.serve.errors import NotFound, ServeError, TooLarge, UploadRefused
from mirloop.serve.service import Service
from mirloop.serve.store import Job, JobState
from mirloop.serve.web.examples import examples

router = APIRouter(include_in_schema=False)
HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
#: The static files, by the only names served.
STATIC = {"app.js": "text/javascript", "style.css": "text/css"}
#: What the analysis view's form may change, per segment (``seg-<i>-<part>``) and for the single region.
EDITED = ("descriptor", "tempo", "key")
#: Length of a catalog audition, in seconds.
AUDITION_SECONDS = 12.0
#: Stages of each job kind as the progress view lists them (a track job's stages that plugins add
#: come before ``reduce``: :func:`track_stages`).
STAGES = {
    "track": ["load", "separator", "tempo", "features", "key", "segmenter", "classifier", "reduce", "write"],
    "track_render": ["plan", "render", "re-classify", "write"],
}


def track_stages() -> list[str]:
    """A track job's stages as the progress view lists them, with those plugins add to the analysis."""
    from mirloop.plugins import registry
    from mirloop.stages import added_stage_records

    registry()  # the plugins' stages are known once the registry is built
    stages = STAGES["track"]
    added = [stage.name for stage in added_stage_records() if stage.analysis]
    at = stages.index("reduce")
    return [*stages[:at], *added, *stages[at:]]


def service(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


def page(request: Request, name: str, context: dict[str, Any], *, status: int = 200) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status)


def status_of(exc: Exception) -> int:
    return exc.status if isinstance(exc, ServeError) else 422


@router.get("/web/static/{name}", name="web_static")
def static(name: str) -> Response:
    if name not in STATIC:
        raise NotFound(f"no static file {name!r}")
    return FileResponse(HERE / "static" / name, media_type=STATIC[name])


@router.get("/")
def home(request: Request) -> Response:
    return page(request, "home.html", home_context(request))


def home_context(request: Request, error: str | None = None) -> dict[str, Any]:
    jobs = service(request).store.jobs(kind="track", limit=20)
    return {"examples": list(examples()), "tracks": jobs, "error": error}


@router.post("/tracks")
async def new_track(request: Request) -> Response:
    """A multipart form with ``file`` (an upload) or ``example`` (a bundled example's name)."""
    svc = service(request)
    try:
        check_declared_size(request, svc)
    except ServeError as exc:
        return page(request, "home.html", home_context(request, str(exc)), status=exc.status)
    form = await request.form()
    upload, example = form.get("file"), form.get("example")
    try:
        if isinstance(example, str) and example:
            found = examples().get(example)
            if found is None:
                known = ", ".join(examples()) or "none"
                raise NotFound(f"no bundled example {example!r}; pick one of {known}")
            stored = await run_in_threadpool(_store_example, svc, found)
        elif isinstance(upload, UploadFile) and upload.filename:
            stored = await run_in_threadpool(svc.upload, upload.file, name=upload.filename)
        else:
            raise UploadRefused("choose an audio file to upload or a bundled example")
        job = await run_in_threadpool(svc.submit, "track", {"file": stored.id})
    except MirloopError as exc:
        return page(request, "home.html", home_context(request, str(exc)), status=status_of(exc))
    return RedirectResponse(request.url_for("track_page", job_id=job.id), status_code=303)


class LengthRequired(ServeError):
    status = 411
    title = "Length required"


def check_declared_size(request: Request, svc: Service) -> None:
    """Refuse a form whose declared length is past the upload limit (:class:`TooLarge`) or that
    declares none (:class:`LengthRequired`) before a byte of it is read, as the API's uploads are;
    the file store checks the real size again."""
    from mirloop.serve.app import MULTIPART_OVERHEAD

    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        raise LengthRequired("send the upload with a Content-Length header")
    if int(declared) > svc.settings.max_upload_bytes + MULTIPART_OVERHEAD:
        raise TooLarge(
            f"the upload is larger than the limit of {svc.settings.max_upload_mb:g} MB; "
            "send a shorter or compressed track (FLAC, OGG or MP3)"
        )


def _store_example(svc: Service, path: Path) -> Any:
    with path.open("rb") as stream:
        return svc.upload(stream, name=path.name)


@router.get("/tracks/{job_id}", name="track_page")
def track_page(request: Request, job_id: str) -> Response:
    try:
        job = _job(request, job_id, "track")
    except ServeError as exc:
        return page(request, "missing.html", {"error": str(exc)}, status=exc.status)
    return page(request, "track.html", track_context(request, job))


def track_context(request: Request, job: Job, error: str | None = None, values: Any = None) -> dict[str, Any]:
    from mirloop.catalog import load_catalog
    from mirloop.serve.web.render_job import MAX_RENDERS

    context: dict[str, Any] = {"job": job, "stages": track_stages(), "error": error, "view": None}
    if job.state == JobState.DONE:
        view = _output_json(request, job, "track.json")
        context.update(
            view=view,
            files={name: _file_url(request, job, name) for name in job.files},
            descriptors=load_catalog().names(),
            max_renders=MAX_RENDERS,
            values=values,
            renders=[r for r in service(request).store.jobs(kind="track_render", limit=50)
                     if r.params.get("track") == job.id],
        )
    return context


@router.post("/tracks/{job_id}/renders")
async def new_render(request: Request, job_id: str) -> Response:
    """The analysis view's form: ``seg-<i>-descriptor|tempo|key`` per segment, ``single-…`` (an
    empty descriptor: no single-region render), ``renders`` and ``seed``."""
    svc = service(request)
    try:
        job = _job(request, job_id, "track")
    except ServeError as exc:
        return page(request, "missing.html", {"error": str(exc)}, status=exc.status)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        params = render_params(job_id, values)
        render = await run_in_threadpool(svc.submit, "track_render", params)
    except MirloopError as exc:
        context = track_context(request, job, str(exc), values)
        return page(request, "track.html", context, status=status_of(exc))
    return RedirectResponse(request.url_for("render_page", job_id=render.id), status_code=303)


def render_params(track_id: str, form: dict[str, str]) -> dict[str, Any]:
    """The ``track_render`` parameters of the analysis view's form (checked again by the job)."""
    from mirloop.errors import ConfigError

    segments = []
    index = 0
    while f"seg-{index}-descriptor" in form:
        segments.append({part: form.get(f"seg-{index}-{part}", "") for part in EDITED})
        index += 1
    single = None
    if form.get("single-descriptor"):
        single = {part: form.get(f"single-{part}", "") for part in EDITED}
    try:
        renders = int(form.get("renders", "1") or 0)
        seed = int(form.get("seed", "0") or 0)
    except ValueError:
        raise ConfigError("the number of renders and the seed must be whole numbers") from None
    return {"track": track_id, "segments": segments, "single": single, "renders": renders, "seed": seed}


@router.get("/renders/{job_id}", name="render_page")
def render_page(request: Request, job_id: str) -> Response:
    try:
        job = _job(request, job_id, "track_render")
        track = _job(request, str(job.params["track"]), "track")
    except ServeError as exc:
        return page(request, "missing.html", {"error": str(exc)}, status=exc.status)
    context: dict[str, Any] = {"job": job, "track": track, "stages": STAGES["track_render"], "summary": None}
    if job.state == JobState.DONE:
        context.update(
            summary=_output_json(request, job, "renders.json"),
            view=_output_json(request, track, "track.json"),
            track_files={name: _file_url(request, track, name) for name in track.files},
            files={name: _file_url(request, job, name) for name in job.files},
        )
    return page(request, "render.html", context)


@router.get("/catalog")
def catalog_page(request: Request, genre: str = "") -> Response:
    from mirloop.catalog import load_catalog

    catalog = load_catalog()
    shown = [d for d in catalog if not genre or d.genre == genre]
    return page(request, "catalog.html", {"descriptors": shown, "genres": catalog.genres(), "genre": genre,
                                          "seconds": AUDITION_SECONDS})


@router.post("/catalog/audition")
async def audition(request: Request) -> Response:
    """Form field ``descriptor``: a ``render`` job of a short single-region example (an earlier
    one of the same descriptor is reused); answers ``{"job", "status"}`` (the job's API URL)."""
    from mirloop.catalog import load_catalog
    from mirloop.timeline import Timeline, single_region

    svc = service(request)
    form = await request.form()
    name = form.get("descriptor")
    catalog = load_catalog()
    if not isinstance(name, str) or name not in catalog:
        detail = catalog.unknown_message(str(name)) if isinstance(name, str) else "send a descriptor name"
        error = {"status": "422", "title": "Unknown descriptor", "detail": detail}
        return JSONResponse({"errors": [error]}, 422)
    # in the form the render job stores it, so that an earlier audition is found again
    timeline = Timeline.from_json(single_region(name, AUDITION_SECONDS, seed=0).to_json()).to_json()
    job = await run_in_threadpool(_audition_job, svc, timeline)
    return JSONResponse({"job": job.id, "status": str(request.url_for("job", job_id=job.id))}, 202)


def _audition_job(svc: Service, timeline: dict[str, Any]) -> Job:
    """The newest render job of exactly this timeline that has not failed, else a new one."""
    for job in svc.store.jobs(kind="render", limit=200):
        if job.state != JobState.FAILED and job.params.get("timeline") == timeline:
            return job
    return svc.submit("render", {"timeline": timeline, "preset": "MASTER_WAV", "seed": 0})


def _job(request: Request, job_id: str, kind: str) -> Job:
    job = service(request).job(job_id)
    if job.kind != kind:
        raise NotFound(f"no {kind.replace('_', ' ')} job {job_id!r}")
    return job


def _output_json(request: Request, job: Job, name: str) -> Any:
    return json.loads(service(request).output(job.id, name).read_text("utf-8"))


def _file_url(request: Request, job: Job, name: str) -> str:
    return str(request.url_for("job_file", job_id=job.id, name=name))


__all__ = ["router"]
