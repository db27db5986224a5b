"""Does a model fit the installed set-up? Catalog version and configured feature backend."""

from __future__ import annotations

from typing import Any

from mirloop.classify.model import HierarchicalModel
from mirloop.config import Config


def installed_catalog_version() -> str | None:
    """The version of the installed descriptor catalog, or ``None`` when it cannot be loaded."""
    try:
        from mirloop.catalog import load_catalog

        catalog: Any = load_catalog()
    except Exception:  # no catalog: nothing to compare with
        return None
    version = getattr(catalog, "version", None)
    return None if version is None else str(version)


def resolved_feature_options(config: Config) -> dict[str, Any]:
    """The configured feature backend's options with its defaults filled in (JSON-comparable)."""
    from mirloop.plugins import registry

    name = config.backend("features")
    given = config.options("features")
    try:
        backend: Any = registry().get("features", name).cls
        resolved = backend.resolve_options(given)
    except Exception:  # unknown backend: the analysis reports it; compare what was given
        resolved = given
    return {
        key: value if isinstance(value, (int, float, str, bool)) or value is None else str(value)
        for key, value in resolved.items()
    }


def check_model_setup(model: HierarchicalModel, config: Config) -> None:
    """Refuse (:class:`~mirloop.errors.ModelError`) a model made for another feature backend or catalog."""
    model.check_setup(
        feature_backend=config.backend("features"),
        feature_options=resolved_feature_options(config),
        catalog_version=installed_catalog_version(),
    )
