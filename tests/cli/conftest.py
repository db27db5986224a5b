"""CLI tests share the pipeline tests' toy registry."""

from tests.pipelines.conftest import toy_registry

__all__ = ["toy_registry"]
