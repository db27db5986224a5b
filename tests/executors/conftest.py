"""A two-worker Dask cluster for the executor tests, whose workers find the toy plugin.

Worker processes are fresh interpreters: the toy plugin reaches them as an installed plugin would,
through an entry point of a distribution on the path they inherit.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mirloop import plugins


@pytest.fixture(scope="module")
def toy_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A distribution whose ``mirloop`` entry point is :mod:`tests.pipelines.toy_backends`, on the path."""
    site = tmp_path_factory.mktemp("site")
    info = site / "mirloop_toy_tests-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mirloop-toy-tests\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[mirloop]\ntoy = tests.pipelines.toy_backends\n")
    sys.path.insert(0, str(site))
    previous, plugins._REGISTRY = plugins._REGISTRY, None
    yield site
    sys.path.remove(str(site))
    plugins._REGISTRY = previous


@pytest.fixture(scope="module")
def dask_executor(toy_site: Path) -> Iterator[object]:
    """:class:`mirloop.executors.dask.DaskExecutor` on ``local:2``: two single-threaded worker
    processes, each task allowed one worker death before it is reported lost."""
    from mirloop.executors.dask import DaskExecutor

    executor = DaskExecutor("local:2")
    yield executor
    executor.close()
