"""A client of Amper's simple-render API, and the ``amper`` renderer backend built on it.

Public API::

    from mirloop.amper import AmperClient
    client = AmperClient("http://127.0.0.1:8000")       # key: api_key= or MIRLOOP_AMPER_API_KEY
    render = client.render(timeline, preset="MASTER_WAV")  # submit, poll, return the finished render
    client.download(render.file("master.wav"), "out.wav")
    client.render_many([t1, t2, t3], workers=4)          # concurrent renders of a batch
    catalog = client.catalog()                           # the server's descriptors, bands, instruments

Configure the backend with ``[renderer] backend = "amper"`` and ``url = ...`` (see
:class:`mirloop.amper.backend.AmperRenderer`).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

#: public name -> module; imported on first use, so registering the backend imports no HTTP library.
_EXPORTS = {
    "AmperClient": "mirloop.amper.client",
    "RemoteCatalog": "mirloop.amper.client",
    "RemoteRender": "mirloop.amper.client",
    "AmperError": "mirloop.amper.errors",
    "AmperRenderFailed": "mirloop.amper.errors",
    "AmperRequestError": "mirloop.amper.errors",
    "AmperUnavailable": "mirloop.amper.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mirloop.amper' has no attribute {name!r}")
    return getattr(import_module(module), name)
