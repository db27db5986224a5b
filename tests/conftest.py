"""Fixtures shared by the whole test suite.

Every test starts from a clean environment: no ``MIRLOOP_*`` variable of the developer's shell
leaks in, and the process-wide plugin registry is rebuilt after a test that changed what is
installed.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.plugin_sources import InstallPlugin

MIRLOOP_ENV = (
    "MIRLOOP_CONFIG",
    "MIRLOOP_USE",
    "MIRLOOP_SET",
    "MIRLOOP_PLUGINS",
    "MIRLOOP_DISABLE_PLUGIN_AUTOLOAD",
    "MIRLOOP_TRACE",
    "MIRLOOP_MAX_DAMAGE",
    "MIRLOOP_MAX_RENDER_SECONDS",
    "MIRLOOP_MAX_STREAMED_RENDER_SECONDS",
    "MIRLOOP_MAX_TIMELINE_EVENTS",
    "MIRLOOP_MAX_TRACK_HOURS",
    "MIRLOOP_MAX_MODEL_MB",
    "MIRLOOP_AMPER_API_KEY",
    "MIRLOOP_SERVE_API_KEYS",
    "MIRLOOP_SERVE_FAULTS",
    "MIRLOOP_SCHEDULER",
)

# Single-threaded numerical libraries: the suite runs with pytest -n 2 on small machines.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


@pytest.fixture(autouse=True)
def _clean_mirloop_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in MIRLOOP_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The process-wide registry is rebuilt on first use in this test, and restored afterwards."""
    from mirloop import plugins

    monkeypatch.setattr(plugins, "_REGISTRY", None)


@pytest.fixture
def install_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_registry: None
) -> Iterator[InstallPlugin]:
    """Install a plugin distribution for this test only.

    ``install_plugin(name, source)`` writes ``source`` as a module and a
    ``<dist>-<version>.dist-info`` whose ``entry_points.txt`` names it in the ``mirloop`` group,
    into a folder on ``sys.path``: ``importlib.metadata`` finds it like a pip-installed package.
    The distribution defaults to ``mirloop-<name>``; ``own_folder=True`` puts it in a folder of
    its own at the front of ``sys.path`` (ahead of everything installed before).
    """
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    modules: list[str] = []

    def install(
        name: str, source: str, *, dist: str | None = None, version: str = "0.1.0", own_folder: bool = False
    ) -> Path:
        dist = dist or f"mirloop-{name}"
        folder = site
        if own_folder:
            folder = tmp_path / f"site-{dist}"
            folder.mkdir()
            monkeypatch.syspath_prepend(str(folder))
        module = f"{dist.replace('-', '_')}_plugin"
        (folder / f"{module}.py").write_text(source)
        modules.append(module)
        dist_info = folder / f"{dist.replace('-', '_')}-{version}.dist-info"
        dist_info.mkdir()
        (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        (dist_info / "entry_points.txt").write_text(f"[mirloop]\n{name} = {module}\n")
        importlib.invalidate_caches()
        return dist_info

    yield install
    for module in modules:
        sys.modules.pop(module, None)
