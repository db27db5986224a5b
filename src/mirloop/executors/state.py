"""State a worker process keeps between its tasks: built once by the first task that needs it.

Workers (local or Dask) are long-lived processes that run many tasks; what a task needs and can
share — a renderer backend, a feature backend with its options — is made by the first task and
reused by the next ones, so a run pays for it once per worker rather than once per track.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

_STATE: dict[Hashable, Any] = {}


def worker_cached(key: Hashable, factory: Callable[[], T]) -> T:
    """The value cached under ``key`` in this process, made by ``factory()`` the first time."""
    if key not in _STATE:
        _STATE[key] = factory()
    value: T = _STATE[key]
    return value


def cached_backend(stage: str, name: str, options: dict[str, Any]) -> Any:
    """The ``stage`` backend ``name`` with ``options``, created once per worker process (and
    again if the process's plugin registry is rebuilt)."""
    from mirloop.plugins import registry

    reg = registry()
    key = ("backend", id(reg), stage, name, json.dumps(options, sort_keys=True, default=str))
    return worker_cached(key, lambda: reg.create(stage, name, options))


def cached_backends() -> list[tuple[str, str, str]]:
    """``(stage, name, options JSON)`` of every backend this process holds."""
    return [key[2:] for key in _STATE if isinstance(key, tuple) and key[:1] == ("backend",)]
