"""Real servers for the server tests: ``mirloop serve`` in a subprocess on a free loopback port.

``server`` is shared by the test session (one worker, no faults); tests that need faults, keys or
a small queue start their own with :func:`start_server`. Timelines are short (1 s) so that a
render takes about a second once the worker has warmed up.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the server needs the 'serve' extra (make install installs it)")

from mirloop.serve.testing import ServerProcess
from mirloop.timeline import multi_region, single_region


def short_timeline(
    descriptor: str = "rock_indie_driving", seconds: float = 1.0, *, seed: int = 1
) -> dict[str, Any]:
    """A one-region timeline of ``seconds`` (its JSON)."""
    return single_region(descriptor, seconds, tempo=None, key="e minor", seed=seed).to_json()


def misspelt_timeline() -> dict[str, Any]:
    """A timeline naming ``rock_indie_drivng``, a descriptor no catalog has."""
    timeline = short_timeline()
    timeline["spans"][0]["actions"][0]["add_region"]["descriptor"] = "rock_indie_drivng"
    return timeline


def two_regions(seconds: float = 3.0) -> dict[str, Any]:
    """A two-region timeline (its JSON)."""
    half = seconds / 2
    return multi_region(
        [(0, half, "rock_indie_driving", 120, "e minor"), (half, seconds, "ambient_chill_dreamy")], seed=3
    ).to_json()


def start_server(folder: Path, **options: Any) -> ServerProcess:
    """A started server with its data in ``folder`` (options of :class:`ServerProcess`)."""
    return ServerProcess(folder, **options).start()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = start_server(tmp_path_factory.mktemp("serve") / "data", workers=1)
    try:
        yield process
    finally:
        process.close()
