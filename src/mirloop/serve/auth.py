"""Optional API-key auth: ``Authorization: Bearer <key>`` checked against the configured keys.

No keys configured: every request passes. Otherwise a request without credentials is answered
401 (with ``WWW-Authenticate: Bearer``), one with a key that is not accepted 403. Keys are
compared in constant time and never logged.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mirloop.serve.errors import ServeError


class Unauthorized(ServeError):
    status = 401
    title = "Unauthorized"


class Forbidden(ServeError):
    status = 403
    title = "Forbidden"


bearer = HTTPBearer(auto_error=False, description="API key, when the server requires one")


def require_api_key(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> None:
    """A FastAPI dependency enforcing the server's API keys (see the module docstring)."""
    keys: tuple[str, ...] = request.app.state.service.settings.api_keys
    if not keys:
        return
    if credentials is None or not credentials.credentials.strip():
        if request.headers.get("authorization"):
            raise Unauthorized("the Authorization header must read 'Bearer <key>'")
        raise Unauthorized("this server needs an API key: send 'Authorization: Bearer <key>'")
    supplied = credentials.credentials.strip().encode()
    if not any(hmac.compare_digest(supplied, key.encode()) for key in keys):
        raise Forbidden("the API key is not accepted by this server")
