"""Fixtures shared by the whole test suite.

Every test starts from a clean environment: no ``MIRLOOP_*`` variable of the developer's shell
leaks in, and the process-wide plugin registry is rebuilt after a test that changed what is
installed.
"""

from __future__ import annotations

import os

import pytest

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
