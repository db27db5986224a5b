"""The errors of the server: each one a :class:`~mirloop.errors.MirloopError` with an HTTP status."""

from __future__ import annotations

from mirloop.errors import MirloopError


class ServeError(MirloopError):
    """A request the server cannot serve; ``status`` is the HTTP status it answers with."""

    status: int = 400
    title: str = "Bad request"


class NotFound(ServeError):
    """A job or file that does not exist (or is not this caller's to see)."""

    status = 404
    title = "Not found"


class QueueFull(ServeError):
    """The job queue holds its limit of waiting and running jobs."""

    status = 429
    title = "Too many jobs"


class UploadRefused(ServeError):
    """An upload that is too large, empty, or not audio the server can read."""

    status = 422
    title = "Upload refused"


class TooLarge(UploadRefused):
    status = 413
    title = "Upload too large"
