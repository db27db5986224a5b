"""Fixtures for corpus tests: a registry that also holds the toy plugin."""

from __future__ import annotations

import pytest

from mirloop import plugins
from tests.pipelines import toy_backends


@pytest.fixture
def toy_registry(monkeypatch: pytest.MonkeyPatch) -> plugins.Registry:
    """The process-wide registry: the installed plugins plus :mod:`tests.pipelines.toy_backends`."""
    registry = plugins.build_registry(extra_plugins=(toy_backends,))
    monkeypatch.setattr(plugins, "_REGISTRY", registry)
    return registry
