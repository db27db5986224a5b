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


def resolved_options(
    stage: str, backend: str, given: dict[str, Any], *, recorded: bool = False
) -> dict[str, Any]:
    """``given`` options of ``stage``'s ``backend`` with its defaults filled in (with ``recorded``,
    options an earlier run wrote down: those it left out take the value they had then); as given
    for a backend not installed here or options it refuses (whoever runs it reports that)."""
    from mirloop.plugins import registry

    try:
        cls = registry().get(stage, backend).cls
        resolved: dict[str, Any] = cls.resolve_options(given, recorded=recorded)
    except Exception:  # unknown backend or bad options: reported where the backend is created
        resolved = dict(given)
    return resolved


def resolved_feature_options(config: Config) -> dict[str, Any]:
    """The configured feature backend's options with its defaults filled in (JSON-comparable)."""
    resolved = resolved_options("features", config.backend("features"), config.options("features"))
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
