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

from mirloop.amper.client import AmperClient, RemoteCatalog, RemoteRender
from mirloop.amper.errors import AmperError, AmperRenderFailed, AmperRequestError, AmperUnavailable

__all__ = [
    "AmperClient",
    "AmperError",
    "AmperRenderFailed",
    "AmperRequestError",
    "AmperUnavailable",
    "RemoteCatalog",
    "RemoteRender",
]
