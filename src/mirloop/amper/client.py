"""An HTTP client of Amper's simple-render API (``/v1/simple_renders``, ``/v1/entities``).

The API key comes from ``api_key=`` or the environment (:data:`API_KEY_ENV`) and travels only
in the ``Authorization: Bearer`` header of requests to the server's own origin; it is never
logged, printed or put in an error message. Every request has a timeout. ``429`` and ``5xx``
answers, refused connections and timeouts are retried with exponential back-off (and the
server's ``Retry-After``); a ``4xx`` raises :class:`AmperRequestError` carrying the server's
message. Only ``requests`` and the standard library are used.
"""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from attrs import frozen

from mirloop.amper.errors import AmperError, AmperRenderFailed, AmperRequestError, AmperUnavailable
from mirloop.errors import DescriptorError

log = logging.getLogger("mirloop.amper")

#: Environment variable holding the API key when none is given.
API_KEY_ENV = "MIRLOOP_AMPER_API_KEY"
#: Answers worth another try: the server is busy or failed on its side.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
FINAL_STATUSES = frozenset({"CREATED", "FAILED_CREATE"})
PRESETS = ("MASTER_WAV", "MASTER_MP3", "STEMS_WAV")


@frozen
class RemoteFile:
    name: str
    content_type: str
    size: int
    download_url: str


@frozen
class RemoteRender:
    """A render as the server last reported it."""

    id: str
    status: str
    progress_percent: float
    preset: str
    files: tuple[RemoteFile, ...]
    error: str | None = None
    seed: int | None = None
    duration: float | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINAL_STATUSES

    def file(self, name: str) -> RemoteFile:
        """The file ``name``; :class:`AmperError` listing the render's files when it has none such."""
        for found in self.files:
            if found.name == name:
                return found
        names = ", ".join(f.name for f in self.files) or "none"
        raise AmperError(f"render {self.id} has no file {name!r} (status {self.status}); its files: {names}")

    @classmethod
    def from_json(cls, body: Any) -> RemoteRender:
        try:
            data = body["data"]
            attributes = data["attributes"]
            return cls(
                id=str(data["id"]),
                status=str(attributes["status"]),
                progress_percent=float(attributes.get("progress_percent") or 0.0),
                preset=str(attributes.get("preset", "")),
                files=tuple(
                    RemoteFile(str(f["name"]), str(f.get("content_type", "")), int(f.get("size", 0)),
                               str(f["download_url"]))
                    for f in attributes.get("files") or ()
                ),
                error=attributes.get("error"),
                seed=attributes.get("seed"),
                duration=attributes.get("duration"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            problem = f"{type(exc).__name__}: {exc}"
            raise AmperError(f"the server's render document is malformed ({problem})") from None


@frozen
class RemoteCatalog:
    """The server's descriptors, bands and instruments (``id`` -> attributes)."""

    descriptors: dict[str, dict[str, Any]]
    bands: dict[str, dict[str, Any]]
    instruments: dict[str, dict[str, Any]]
    version: str = ""

    def check_timeline(self, timeline: Any) -> None:
        """Refuse a timeline naming a descriptor the server does not know (:class:`DescriptorError`
        naming it and the server's nearest ones), before it is sent."""
        import difflib

        for name in sorted(_descriptor_names(timeline)):
            if name not in self.descriptors:
                near = difflib.get_close_matches(name, list(self.descriptors), n=3)
                hint = f"; nearest on the server: {', '.join(near)}" if near else ""
                raise DescriptorError(f"the Amper server has no descriptor {name!r}{hint}")

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, "descriptor": self.descriptors, "band": self.bands,
                "instrument": self.instruments}

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the catalog as JSON (atomically) to ``path``."""
        from mirloop.io.atomic import write_text

        return write_text(path, json.dumps(self.to_json(), indent=1, sort_keys=True))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> RemoteCatalog:
        data = json.loads(Path(path).read_text("utf-8"))
        return cls(data["descriptor"], data["band"], data["instrument"], data.get("version", ""))


def _descriptor_names(timeline: Any) -> set[str]:
    body = timeline.get("timeline", timeline) if isinstance(timeline, dict) else {}
    names: set[str] = set()
    for span in body.get("spans") or ():
        for key in ("actions", "regions"):
            for item in (span.get(key) or ()) if isinstance(span, dict) else ():
                region = item.get("add_region", item) if isinstance(item, dict) else item
                descriptor = region.get("descriptor") if isinstance(region, dict) else None
                if isinstance(descriptor, str):
                    names.add(descriptor)
    return names


def timeline_document(timeline: Any) -> dict[str, Any]:
    """A timeline (a :class:`~mirloop.timeline.Timeline`, dict, JSON text or path) as a JSON dict."""
    from mirloop.timeline import Timeline
    from mirloop.timeline.codec import load_document

    if isinstance(timeline, Timeline):
        return timeline.to_json()
    document = load_document(timeline)
    if not isinstance(document, dict):
        raise AmperError(f"a timeline is a JSON object, got {type(document).__name__}")
    return document


class AmperClient:
    """Talks to the Amper API at ``url`` (see the module docstring for keys, retries and errors).

    ``timeout`` is the seconds one request may take; ``retries`` how many times a failed request
    is tried again (back-off ``backoff`` s, doubling up to ``max_backoff``); ``poll_interval``
    the seconds between status polls; ``render_timeout`` how long :meth:`wait` waits for a render.
    """

    def __init__(
        self,
        url: str,
        *,
        api_key: str | None = None,
        timeout: float = 30.0,
        retries: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        poll_interval: float = 0.5,
        render_timeout: float = 600.0,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise AmperError(f"the Amper server URL must be http(s)://host[:port], got {url!r}")
        self.url = url.rstrip("/") + "/"
        self._origin = (parts.scheme, parts.netloc)
        self.__key = api_key if api_key else os.environ.get(API_KEY_ENV) or None
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self.poll_interval = float(poll_interval)
        self.render_timeout = float(render_timeout)
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"AmperClient({self.url!r}, api_key={'set' if self.__key else 'none'})"

    # transport ------------------------------------------------------------------------------
    @property
    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _headers(self, url: str) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        parts = urlsplit(url)
        if self.__key and (parts.scheme, parts.netloc) == self._origin:  # the key goes to this server only
            headers["Authorization"] = f"Bearer {self.__key}"
        return headers

    def request(self, method: str, path: str, *, body: Any = None, stream: bool = False) -> requests.Response:
        """One API call with retries; ``path`` relative to the server URL, or absolute."""
        url = urljoin(self.url, path)
        last = ""
        for attempt in range(self.retries + 1):
            wait = min(self.max_backoff, self.backoff * 2**attempt) * (0.5 + random.random() / 2)
            try:
                response = self._session.request(
                    method, url, json=body, headers=self._headers(url), stream=stream,
                    timeout=(min(self.timeout, 10.0), self.timeout),
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                last = f"{type(exc).__name__}"
                log.debug("%s %s: %s (attempt %d)", method, url, last, attempt + 1)
            else:
                status = response.status_code
                log.debug("%s %s -> %d (attempt %d)", method, url, status, attempt + 1)
                if status < 400:
                    return response
                detail = _detail(response)
                if status not in RETRY_STATUSES:
                    raise AmperRequestError(
                        f"the Amper server refused {method} {urlsplit(url).path}: HTTP {status}: {detail}",
                        status=status, detail=detail,
                    )
                last = f"HTTP {status}: {detail}"
                retry_after = _retry_after(response)
                if retry_after is not None:
                    wait = min(self.max_backoff, max(wait, retry_after))
                response.close()
            if attempt < self.retries:
                time.sleep(wait)
        raise AmperUnavailable(
            f"{method} {url} failed {self.retries + 1} times, last with {last}; check that the Amper "
            "server runs and is not overloaded, or raise the client's retries"
        )

    # renders --------------------------------------------------------------------------------
    def submit(self, timeline: Any, *, preset: str = "MASTER_WAV", seed: int | None = None) -> RemoteRender:
        """Queue a render of ``timeline``; returns it as first reported (``WAITING_COMPOSE``)."""
        if preset not in PRESETS:
            raise AmperError(f"unknown preset {preset!r}; use one of {', '.join(PRESETS)}")
        attributes: dict[str, Any] = {"timeline": timeline_document(timeline), "preset": preset}
        if seed is not None:
            attributes["seed"] = int(seed)
        body = {"data": {"type": "simple_renders", "attributes": attributes}}
        return RemoteRender.from_json(self.request("POST", "v1/simple_renders", body=body).json())

    def status(self, render_id: str) -> RemoteRender:
        return RemoteRender.from_json(self.request("GET", f"v1/simple_renders/{render_id}").json())

    def wait(
        self, render_id: str, *, on_progress: Callable[[RemoteRender], None] | None = None
    ) -> RemoteRender:
        """Poll until the render is ``CREATED`` (returned) or ``FAILED_CREATE``
        (:class:`AmperRenderFailed` with the server's reason), at most ``render_timeout`` s."""
        deadline = time.monotonic() + self.render_timeout
        while True:
            render = self.status(render_id)
            if on_progress is not None:
                on_progress(render)
            if render.status == "CREATED":
                return render
            if render.status == "FAILED_CREATE":
                raise AmperRenderFailed(
                    f"the Amper server failed render {render_id}: {render.error or 'no reason given'}",
                    render_id=render_id,
                )
            if time.monotonic() > deadline:
                raise AmperUnavailable(
                    f"render {render_id} is still {render.status} ({render.progress_percent:.0f} %) after "
                    f"{self.render_timeout:g} s; raise render_timeout or check the server's load"
                )
            time.sleep(self.poll_interval)

    def render(
        self,
        timeline: Any,
        *,
        preset: str = "MASTER_WAV",
        seed: int | None = None,
        on_progress: Callable[[RemoteRender], None] | None = None,
    ) -> RemoteRender:
        """Submit ``timeline`` and wait for the finished render."""
        return self.wait(self.submit(timeline, preset=preset, seed=seed).id, on_progress=on_progress)

    def render_many(
        self,
        timelines: Sequence[Any],
        *,
        preset: str = "MASTER_WAV",
        seeds: Sequence[int | None] | None = None,
        workers: int = 4,
        then: Callable[[RemoteRender], Any] | None = None,
    ) -> list[Any]:
        """Render a batch, ``workers`` at a time; one entry per timeline, in order: the finished
        :class:`RemoteRender` (or ``then(render)``), or the :class:`AmperError` that ended it."""
        seeds = list(seeds) if seeds is not None else [None] * len(timelines)
        if len(seeds) != len(timelines):
            raise AmperError(f"{len(seeds)} seeds for {len(timelines)} timelines; give one per timeline")

        def one(item: tuple[Any, int | None]) -> Any:
            try:
                render = self.render(item[0], preset=preset, seed=item[1])
                return render if then is None else then(render)
            except AmperError as exc:
                return exc

        with ThreadPoolExecutor(max(1, workers), thread_name_prefix="amper") as pool:
            return list(pool.map(one, zip(timelines, seeds)))

    def fetch(self, file: RemoteFile) -> bytes:
        """The content of a render's file."""
        return self.request("GET", file.download_url).content

    def download(self, file: RemoteFile, path: str | os.PathLike[str]) -> Path:
        """Stream a render's file to ``path`` (which appears only once complete)."""
        from mirloop.io.atomic import atomic_open

        response = self.request("GET", file.download_url, stream=True)
        with response, atomic_open(path, "wb") as handle:
            for chunk in response.iter_content(1 << 16):
                handle.write(chunk)
        return Path(path)

    # catalog --------------------------------------------------------------------------------
    def entities(self, kind: str) -> list[dict[str, Any]]:
        """The server's entities of ``kind`` (``descriptor``, ``band`` or ``instrument``)."""
        return self._entities(kind)[0]

    def _entities(self, kind: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        body = self.request("GET", f"v1/entities/{kind}").json()
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, list) or not all(isinstance(e, dict) and "id" in e for e in data):
            raise AmperError(f"the server's {kind} entities are malformed (no 'data' list of entities)")
        meta = body.get("meta")
        return data, meta if isinstance(meta, dict) else {}

    def catalog(self) -> RemoteCatalog:
        """Sync the catalog: the server's descriptors, bands and instruments, by id."""
        tables: dict[str, dict[str, dict[str, Any]]] = {}
        version = ""
        for kind in ("descriptor", "band", "instrument"):
            items, meta = self._entities(kind)
            tables[kind] = {str(e["id"]): dict(e.get("attributes") or {}) for e in items}
            version = version or str(meta.get("catalog_version", ""))
        return RemoteCatalog(tables["descriptor"], tables["band"], tables["instrument"], version)


def _detail(response: requests.Response) -> str:
    """The server's message: the JSON:API error detail(s), else the start of the body."""
    try:
        body = response.json()
        errors = body.get("errors") if isinstance(body, dict) else None
        if errors:
            items = [e for e in errors if isinstance(e, dict)]
            return "; ".join(str(e.get("detail") or e.get("title") or e) for e in items)
        if isinstance(body, dict) and "detail" in body:
            return str(body["detail"])
    except ValueError:
        pass
    text = response.text.strip()
    return text[:300] or response.reason or "no message"


def _retry_after(response: requests.Response) -> float | None:
    try:
        value = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


def iter_files(render: RemoteRender, prefix: str) -> Iterable[RemoteFile]:
    """The render's files whose names start with ``prefix``."""
    return (f for f in render.files if f.name.startswith(prefix))
