"""Errors of the Amper client; each a :class:`~mirloop.errors.RenderError`."""

from __future__ import annotations

from mirloop.errors import RenderError


class AmperError(RenderError):
    """Anything that went wrong talking to an Amper server."""


class AmperRequestError(AmperError):
    """The server refused a request (4xx); ``status`` and the server's own ``detail``."""

    def __init__(self, message: str, *, status: int, detail: str) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


class AmperUnavailable(AmperError):
    """The server did not answer, or kept answering 429/5xx, through every retry."""


class AmperRenderFailed(AmperError):
    """The server accepted the render but it ended ``FAILED_CREATE``; ``render_id`` names it."""

    def __init__(self, message: str, *, render_id: str) -> None:
        super().__init__(message)
        self.render_id = render_id
