"""Building the catalog: built-in files, then whatever plugins register.

Plugins implement the ``register_descriptors(register)`` hook (see :mod:`mirloop.hookspecs`)::

    @mirloop.hookimpl
    def register_descriptors(register):
        register(Path(__file__).with_name("my_genre.toml"))   # a file in the catalog format
        register(Descriptor(...))                             # or a ready-made descriptor

Registered files are merged with the built-in ones before descriptors are resolved, so they may
use the built-in instruments and moods. A name (instrument, mood, subgenre, descriptor) or id that
already exists raises :class:`~mirloop.errors.PluginError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mirloop.catalog.catalog import Catalog
from mirloop.catalog.mood import Mood
from mirloop.catalog.resolve import resolve_descriptors
from mirloop.catalog.source import CatalogSource, read_file, read_sources
from mirloop.errors import DescriptorError, PluginError
from mirloop.types import Descriptor

if TYPE_CHECKING:
    from mirloop.plugins import Registry

_CATALOG: Catalog | None = None


def _collect(registry: Registry | None) -> tuple[list[Path], list[Descriptor]]:
    files: list[Path] = []
    extra: list[Descriptor] = []

    def register(item: Any) -> None:
        if isinstance(item, Descriptor):
            extra.append(item)
        elif isinstance(item, str | Path):
            files.append(Path(item))
        else:
            raise PluginError(f"register_descriptors got {item!r}; register a mirloop.types.Descriptor "
                              f"or the path of a catalog TOML file")

    if registry is not None and registry.manager is not None:
        registry.manager.hook.register_descriptors(register=register)
    return files, extra


def build_catalog(registry: Registry | None = None, *, plugins: bool = True) -> Catalog:
    """Build a fresh catalog from the built-in files and the plugins of ``registry``.

    ``registry`` defaults to the process-wide :func:`mirloop.plugins.registry`; ``plugins=False``
    gives the built-in catalog only.
    """
    if plugins and registry is None:
        from mirloop.plugins import registry as process_registry

        registry = process_registry()
    files, extra = _collect(registry if plugins else None)
    source: CatalogSource = read_sources()
    for path in files:
        try:
            source.add(read_file(path), str(path))
        except DescriptorError as exc:
            raise PluginError(f"plugin catalog file: {exc}") from None
    moods = {name: Mood.from_table(name, table) for name, table in source.moods.items()}
    descriptors = resolve_descriptors(source.genres, moods, source.instruments)
    by_name = {d.name: d for d in descriptors}
    by_id = {d.id: d for d in descriptors}
    for d in extra:
        if d.name in by_name:
            raise PluginError(f"a plugin registered descriptor {d.name!r}, which already exists; rename it")
        if d.id in by_id:
            raise PluginError(f"a plugin registered descriptor {d.name!r} with id {d.id}, already used by "
                              f"{by_id[d.id].name!r}; derive ids with mirloop.catalog.descriptor_id(name)")
        by_name[d.name] = by_id[d.id] = d
    return Catalog(by_name.values(), moods)


def load_catalog(*, reload: bool = False) -> Catalog:
    """The process-wide catalog (built-in plus plugins), built once and cached.

    ``reload=True`` rebuilds it, e.g. after installing a plugin.
    """
    global _CATALOG
    if _CATALOG is None or reload:
        _CATALOG = build_catalog()
    return _CATALOG
