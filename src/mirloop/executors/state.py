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


def backend_key(stage: str, name: str, options: dict[str, Any]) -> tuple[str, str, str]:
    """A cache key for a backend built from ``options`` (their JSON, keys sorted)."""
    return (stage, name, json.dumps(options, sort_keys=True, default=str))


def cached_backend(stage: str, name: str, options: dict[str, Any]) -> Any:
    """The ``stage`` backend ``name`` with ``options``, created once per worker process."""
    from mirloop.plugins import registry

    return worker_cached(backend_key(stage, name, options), lambda: registry().create(stage, name, options))


def cached_count() -> int:
    """How many values this process holds (for the tests of once-per-worker loading)."""
    return len(_STATE)
