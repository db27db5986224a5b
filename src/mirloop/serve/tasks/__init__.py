"""Job kinds: what a worker runs for a job, by its ``kind``.

Each kind names a module with two functions:

* ``check(params, settings) -> dict``: runs in the server when the job is submitted; returns
  the parameters to store, or raises a :class:`~mirloop.errors.MirloopError` (answered 422)
  so that a bad request is refused before it is queued;
* ``run(ctx, params) -> dict``: runs in a worker process; reports progress with
  ``ctx.progress(stage, percent)``, writes its files into ``ctx.workdir`` and returns a JSON-ready
  result (the files written are listed in ``result["files"]`` by the worker).

Add a kind by adding it to :data:`TASKS`.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from mirloop.serve.errors import ServeError

#: job kind -> module implementing ``check`` and ``run``.
TASKS: dict[str, str] = {
    "render": "mirloop.serve.tasks.render",
    "analysis": "mirloop.serve.tasks.analysis",
    "track": "mirloop.serve.web.track_job",
    "track_render": "mirloop.serve.web.render_job",
}


class UnknownKind(ServeError):
    status = 422
    title = "Unknown job kind"


def task(kind: str) -> ModuleType:
    """The module of job kind ``kind``; :class:`UnknownKind` naming the known kinds otherwise."""
    target = TASKS.get(kind)
    if target is None:
        raise UnknownKind(f"no job kind {kind!r}; the kinds are {', '.join(sorted(TASKS))}")
    return import_module(target)
