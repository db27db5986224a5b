"""The ``amper`` renderer backend: renders on an Amper-compatible server over its HTTP API.

Configure it like any renderer::

    [renderer]
    backend = "amper"
    url = "http://127.0.0.1:8000"
    # api_key = "..."   (better: the MIRLOOP_AMPER_API_KEY environment variable)

A render returns a :class:`~mirloop.renderer.RenderResult` like the built-in renderer's: the
master audio, MIDI, ground truth (the server's ``truth.json``) and stems when ``stems`` is on.
Before a timeline is sent, its descriptors are checked against the server's catalog (fetched
once per backend). :meth:`AmperRenderer.render_many` renders a batch concurrently.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any, ClassVar

from mirloop.stages import Backend, Option


class AmperRenderer(Backend):
    """Renders on an Amper API server (see :mod:`mirloop.amper`)."""

    name: ClassVar[str] = "amper"
    stage: ClassVar[str] = "renderer"
    summary: ClassVar[str] = "renders on an Amper-compatible server over its HTTP API (e.g. `mirloop serve`)"
    options: ClassVar[dict[str, Option]] = {
        "url": Option("http://127.0.0.1:8000", str, "the server's base URL"),
        "api_key": Option("", str, "API key (default: the MIRLOOP_AMPER_API_KEY environment variable)"),
        "timeout": Option(30.0, float, "seconds one HTTP request may take"),
        "retries": Option(5, int, "retries of a request answered 429/5xx or not at all (back-off)"),
        "backoff": Option(0.5, float, "first back-off (s), doubling on each retry up to 8 s"),
        "render_timeout": Option(600.0, float, "seconds to wait for one render to finish"),
        "stems": Option(False, bool, "also fetch one stem per instrument (preset STEMS_WAV)"),
        "workers": Option(4, int, "renders in flight at once in render_many"),
        "check_catalog": Option(True, bool, "refuse timelines naming descriptors the server lacks"),
    }

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._client: Any = None
        self._catalog: Any = None

    def __repr__(self) -> str:
        shown = {k: ("***" if k == "api_key" and v else v) for k, v in self.opts.items()}
        return f"AmperRenderer({shown})"

    @property
    def client(self) -> Any:
        """The :class:`~mirloop.amper.AmperClient` of this backend (made once)."""
        if self._client is None:
            from mirloop.amper.client import AmperClient

            self._client = AmperClient(
                self.opts["url"], api_key=self.opts["api_key"] or None, timeout=self.opts["timeout"],
                retries=self.opts["retries"], backoff=self.opts["backoff"],
                render_timeout=self.opts["render_timeout"],
            )
        return self._client

    def catalog(self) -> Any:
        """The server's catalog (:class:`~mirloop.amper.RemoteCatalog`), synced once."""
        if self._catalog is None:
            self._catalog = self.client.catalog()
        return self._catalog

    @property
    def preset(self) -> str:
        return "STEMS_WAV" if self.opts["stems"] else "MASTER_WAV"

    def _document(self, timeline: Any) -> dict[str, Any]:
        from mirloop.amper.client import timeline_document

        document = timeline_document(timeline)
        if self.opts["check_catalog"]:
            self.catalog().check_timeline(document)
        return document

    def render(self, timeline: Any, seed: int | None = None) -> Any:
        """Render ``timeline`` (a Timeline or its JSON) on the server; a RenderResult."""
        remote = self.client.render(self._document(timeline), preset=self.preset, seed=seed)
        return self.result(remote)

    def render_many(self, timelines: Sequence[Any], seeds: Sequence[int | None] | None = None) -> list[Any]:
        """Render a batch concurrently (``workers`` at a time); per timeline, in order, a RenderResult
        or the :class:`~mirloop.errors.MirloopError` that ended it (a timeline refused before it
        was sent, an :class:`~mirloop.amper.AmperError`)."""
        from mirloop.errors import MirloopError

        documents: list[Any] = []
        for timeline in timelines:
            try:
                documents.append(self._document(timeline))
            except MirloopError as exc:
                documents.append(exc)
        todo = [i for i, d in enumerate(documents) if not isinstance(d, Exception)]
        chosen = list(seeds) if seeds is not None else [None] * len(documents)
        done = self.client.render_many(
            [documents[i] for i in todo], preset=self.preset, seeds=[chosen[i] for i in todo],
            workers=self.opts["workers"], then=self.result,
        )
        out: list[Any] = list(documents)
        for index, outcome in zip(todo, done):
            out[index] = outcome
        return out

    def result(self, remote: Any) -> Any:
        """A finished :class:`~mirloop.amper.RemoteRender` fetched into a RenderResult."""
        import soundfile as sf

        from mirloop.amper.truth import truth_from_dict
        from mirloop.renderer.result import RenderResult
        from mirloop.types import Audio

        def audio(name: str) -> Audio:
            content = io.BytesIO(self.client.fetch(remote.file(name)))
            samples, sr = sf.read(content, dtype="float32", always_2d=True)
            return Audio(samples.T, sr, source=f"{self.client.url}v1/simple_renders/{remote.id}/{name}")

        stems = None
        if self.opts["stems"]:
            stems = {
                f.name.rsplit("/", 1)[-1].removesuffix(".wav"): audio(f.name)
                for f in remote.files
                if f.name.startswith("master_stems/") and f.name.endswith(".wav")
            }
        truth = truth_from_dict(json.loads(self.client.fetch(remote.file("truth.json"))))
        return RenderResult(
            audio=audio("master.wav"),
            midi=self.client.fetch(remote.file("master.mid")),
            truth=truth,
            seed=int(remote.seed) if remote.seed is not None else 0,
            stems=stems,
            soundfont=f"amper:{self.client.url}",
        )
