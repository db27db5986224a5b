"""The application factory: one FastAPI app with the routers of :data:`ROUTERS`.

``create_app(settings)`` builds the :class:`~mirloop.serve.service.Service` (job store, file
store, worker pool); the pool starts (recovering interrupted jobs) when the app starts and
stops with it. Errors answer in one JSON shape, ``{"errors": [{"status", "title", "detail"}]}``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import import_module

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from mirloop.errors import MirloopError
from mirloop.serve.errors import ServeError
from mirloop.serve.service import Service
from mirloop.serve.settings import ServeSettings, faulty

log = logging.getLogger("mirloop.serve")

#: "module:attribute" of each APIRouter the app includes, in order.
ROUTERS: tuple[str, ...] = (
    "mirloop.serve.amper.routes:router",
    "mirloop.serve.api:router",
    "mirloop.serve.web.routes:router",
)
#: Path prefixes of the machine APIs (the fault-injection setting applies to these).
API_PREFIXES = ("/v1/", "/api/")


def error_body(status: int, title: str, detail: str) -> dict[str, list[dict[str, str]]]:
    return {"errors": [{"status": str(status), "title": title, "detail": detail}]}


def create_app(settings: ServeSettings) -> FastAPI:
    """The server app for ``settings`` (see :mod:`mirloop.serve`)."""
    service = Service(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service.start()
        try:
            yield
        finally:
            service.stop()

    from mirloop import __version__

    app = FastAPI(
        title="mirloop server",
        version=__version__,
        summary="Amper's simple-render API served by mirloop's renderer, and the mirloop web app.",
        lifespan=lifespan,
    )
    app.state.service = service
    _add_error_handlers(app)
    _add_upload_guard(app, settings)
    if settings.faults.any:
        _add_faults(app, settings)
    for target in ROUTERS:
        module, _, attr = target.partition(":")
        app.include_router(getattr(import_module(module), attr))
    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServeError)
    async def serve_error(request: Request, exc: ServeError) -> Response:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        if exc.status == 429:
            headers = {"Retry-After": "2"}
        return JSONResponse(error_body(exc.status, exc.title, str(exc)), exc.status, headers=headers)

    @app.exception_handler(MirloopError)
    async def mirloop_error(request: Request, exc: MirloopError) -> Response:
        return JSONResponse(error_body(422, "Unprocessable request", str(exc)), 422)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors()[:5]
        )
        return JSONResponse(error_body(422, "Invalid request", problems or "the request is invalid"), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return JSONResponse(error_body(exc.status_code, "HTTP error", str(exc.detail)), exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body(500, "Internal error", f"{type(exc).__name__}"), 500)


#: Paths that take a file upload: their declared size is checked before the body is read.
UPLOAD_PATHS = ("/api/uploads",)
#: Bytes a multipart body may hold besides the file itself (boundaries, part headers, a name).
MULTIPART_OVERHEAD = 64 * 1024
#: Largest JSON body the APIs read (a timeline of the most events allowed is far smaller).
MAX_JSON_BYTES = 4 * 1024 * 1024


def _add_upload_guard(app: FastAPI, settings: ServeSettings) -> None:
    """Refuse a body sent to the APIs whose declared length is past its limit (413: an upload's
    ``--max-upload-mb``, a JSON body's :data:`MAX_JSON_BYTES`) or that declares none (411), before
    a byte of it is read or spooled to disk; the file store checks an upload's real size again."""
    upload_limit = settings.max_upload_bytes + MULTIPART_OVERHEAD

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        path = request.url.path
        if request.method in ("POST", "PUT", "PATCH") and path.startswith(API_PREFIXES):
            declared = request.headers.get("content-length")
            if declared is None or not declared.isdigit():
                return JSONResponse(
                    error_body(411, "Length required", "send the request with a Content-Length header"), 411
                )
            if path in UPLOAD_PATHS and int(declared) > upload_limit:
                detail = (
                    f"the upload is larger than the limit of {settings.max_upload_mb:g} MB; "
                    "send a shorter or compressed track (FLAC, OGG or MP3)"
                )
                return JSONResponse(error_body(413, "Upload too large", detail), 413)
            if path not in UPLOAD_PATHS and int(declared) > MAX_JSON_BYTES:
                size = MAX_JSON_BYTES // 1048576
                detail = f"the request body is larger than {size} MB; no timeline is as large"
                return JSONResponse(error_body(413, "Request too large", detail), 413)
        return await call_next(request)


def _add_faults(app: FastAPI, settings: ServeSettings) -> None:
    faults = settings.faults
    requests = itertools.count()

    @app.middleware("http")
    async def inject(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.url.path.startswith(API_PREFIXES):
            if faults.delay:
                await asyncio.sleep(faults.delay)
            if faults.error_rate and faulty(next(requests), faults.error_rate):
                return JSONResponse(
                    error_body(500, "Injected fault", "a fault injected by the server's fault setting"), 500
                )
        return await call_next(request)
