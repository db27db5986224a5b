"""The plugin registry: one pluggy manager, entry-point group ``mirloop``.

Built-in backends are plugins of the ``mirloop`` distribution and load through the same
entry points as third-party ones. Environment switches:

``MIRLOOP_DISABLE_PLUGIN_AUTOLOAD=1``
    load only the plugins shipped with mirloop itself (a clean room for tests and debugging).
``MIRLOOP_PLUGINS=name,name``
    allow-list: load only these third-party entry points (built-ins always load); a name that
    matches no installed plugin is warned about (:class:`PluginWarning`).
``MIRLOOP_TRACE=1``
    print every hook call and every backend call with its duration to stderr.

Load order is fixed: mirloop's own plugins first, then third-party entry points sorted by
entry-point name, then distribution name (never by the order of ``sys.path``). A built-in
backend name cannot be taken by a third-party plugin. A backend name that two third-party
plugins both register is refused for both (:class:`BackendClash`): mirloop cannot tell which one
the user meant, and running either silently would be a guess. The same holds for the stages
plugins add (``register_stages``): a built-in stage's name is refused for the plugin, and a name
two plugins add is refused for both (:class:`StageClash`).
"""

from __future__ import annotations

import contextlib
import importlib.metadata as md
import os
import sys
import time
import traceback
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pluggy
from attrs import field, frozen

from mirloop import hookspecs
from mirloop.errors import BackendClashError, BackendNotFoundError, PluginError
from mirloop.stages import (
    Backend,
    Stage,
    own_stage_records,
    read_plugin_stages_from,
    stage_names,
    stage_record,
)

GROUP = "mirloop"
hookimpl = pluggy.HookimplMarker("mirloop")

#: Peer backends that live in their own distributions, with the command that installs them.
KNOWN_PLUGINS: dict[str, str] = {
    "essentia": "pip install ./plugins/mirloop-essentia",
    "madmom": "pip install ./plugins/mirloop-madmom",
    "musicnn": "pip install ./plugins/mirloop-musicnn",
    "spleeter": "pip install ./plugins/mirloop-spleeter && mirloop-spleeter setup",
    "tempocnn": "pip install ./plugins/mirloop-tempocnn && mirloop-tempocnn setup",
}


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no", "off")


def tracing() -> bool:
    return _env_flag("MIRLOOP_TRACE")


@frozen
class BackendInfo:
    """A registered backend: which stage, which plugin and distribution provided it."""

    stage: str
    name: str
    cls: type[Backend]
    plugin: str
    dist: str
    version: str
    aliases: tuple[str, ...] = ()

    def create(self, options: dict[str, Any] | None = None) -> Any:
        """Instantiate the backend with validated options."""
        return self.cls(**(options or {}))

    @property
    def option_table(self) -> dict[str, Any]:
        return {key: opt.default for key, opt in getattr(self.cls, "options", {}).items()}

    @property
    def module(self) -> str:
        """Where the class is defined, ``package.module.Class``."""
        return f"{self.cls.__module__}.{self.cls.__qualname__}"

    @property
    def origin(self) -> str:
        """``plugin 'x' (distribution d 1.0)``, for messages."""
        version = f" {self.version}" if self.version else ""
        return f"plugin {self.plugin!r} (distribution {self.dist}{version})"


@frozen
class BackendClash:
    """A backend name of one stage that several third-party plugins registered: refused for all."""

    stage: str
    name: str
    claims: tuple[BackendInfo, ...]

    @property
    def plugins(self) -> tuple[str, ...]:
        return tuple(info.plugin for info in self.claims)

    def describe(self) -> str:
        """One line naming every plugin that claims the name, and what to do."""
        claims = " and ".join(f"{info.origin} as {info.module}" for info in self.claims)
        return (f"{self.stage} backend name {self.name!r} is registered by {claims}; mirloop refuses it for "
                f"all of them rather than guess which one is meant: uninstall all but one, or load one "
                f"with MIRLOOP_PLUGINS={self.claims[0].plugin}")


@frozen
class StageClash:
    """A stage name that several third-party plugins add: refused for all of them."""

    name: str
    plugins: tuple[str, ...]

    def describe(self) -> str:
        """One line naming every plugin that adds the stage, and what to do."""
        return (f"stage {self.name!r} is added by plugins {' and '.join(map(repr, self.plugins))}; mirloop "
                f"refuses it for all of them rather than guess which one is meant: uninstall all but one, "
                f"or load one with MIRLOOP_PLUGINS={self.plugins[0]}")


@frozen
class PluginFailure:
    """A plugin that could not be imported or whose hooks raised."""

    plugin: str
    dist: str
    error: str
    details: str = ""


@frozen
class Registry:
    """Every backend by stage, the plugins loaded, and the plugins that failed."""

    backends: dict[str, dict[str, BackendInfo]]
    plugins: dict[str, str] = field(factory=dict)  # entry-point name -> distribution
    failures: tuple[PluginFailure, ...] = ()
    manager: pluggy.PluginManager | None = None
    clashes: tuple[BackendClash, ...] = ()
    #: False when ``MIRLOOP_DISABLE_PLUGIN_AUTOLOAD`` kept third-party plugins out.
    autoload: bool = True
    #: The stages the loaded plugins add (``register_stages``), in load order.
    stages: tuple[Stage, ...] = ()
    stage_clashes: tuple[StageClash, ...] = ()

    def clash(self, stage: str, name: str) -> BackendClash | None:
        """The clash over ``name`` in ``stage``, if several plugins registered it."""
        return next((c for c in self.clashes if (c.stage, c.name) == (stage, name)), None)

    def notes(self) -> list[str]:
        """What a configuration check should tell about the plugins: switches, clashes and failures."""
        notes = []
        if not self.autoload:
            notes.append("MIRLOOP_DISABLE_PLUGIN_AUTOLOAD is set: only mirloop's own plugins are loaded, "
                         "third-party backends are not available")
        notes.extend(clash.describe() for clash in self.stage_clashes)
        notes.extend(clash.describe() for clash in self.clashes)
        notes.extend(f"plugin {f.plugin!r} ({f.dist}) failed to load: {f.error}" for f in self.failures)
        return notes

    def names(self, stage: str) -> list[str]:
        return sorted({info.name for info in self.backends.get(stage, {}).values()})

    def get(self, stage: str, name: str) -> BackendInfo:
        """The backend ``name`` of ``stage``; unknown names fail with the installed ones."""
        if stage_record(stage) is None and stage not in self.backends:
            refused = next((c for c in self.stage_clashes if c.name == stage), None)
            if refused is not None:
                raise BackendClashError(refused.describe())
            raise BackendNotFoundError(f"unknown stage {stage!r}; stages are: {', '.join(stage_names())}")
        found = self.backends.get(stage, {}).get(name)
        if found is not None:
            return found
        clash = self.clash(stage, name)
        if clash is not None:
            raise BackendClashError(clash.describe())
        installed = ", ".join(self.names(stage)) or "(none installed)"
        hint = ""
        if not self.autoload:
            hint += "; third-party plugins are not loaded because MIRLOOP_DISABLE_PLUGIN_AUTOLOAD is set"
        if name in KNOWN_PLUGINS:
            hint += f"; {name!r} ships as a separate plugin: {KNOWN_PLUGINS[name]}"
        failed = [f for f in self.failures if name in (f.plugin, f.dist)]
        if failed:
            hint += f"; plugin {failed[0].plugin!r} failed to load: {failed[0].error}"
        elif self.failures:
            names = ", ".join(sorted({f.plugin for f in self.failures}))
            hint += f"; plugin(s) {names} failed to load and may provide it (see `mirloop plugins -v`)"
        raise BackendNotFoundError(f"no {stage} backend named {name!r}. Installed: {installed}{hint}")

    def create(self, stage: str, name: str, options: dict[str, Any] | None = None) -> Any:
        return self.get(stage, name).create(options)


def _dist_of(ep: md.EntryPoint) -> tuple[str, str]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return "?", "?"
    return str(dist.metadata["Name"]), str(dist.version)


def _entry_points() -> list[md.EntryPoint]:
    """Entry points of the group in load order: mirloop's own first (a third-party plugin cannot take
    a built-in name), then by entry-point name and distribution name, whatever the order of ``sys.path``."""
    def order(ep: md.EntryPoint) -> tuple[bool, str, str]:
        dist = _dist_of(ep)[0]
        return dist != "mirloop", ep.name, dist

    return sorted(md.entry_points(group=GROUP), key=order)


def build_registry(extra_plugins: tuple[object, ...] = ()) -> Registry:
    """Load entry points (honouring the environment switches), call every registration hook.

    A plugin that fails to import or whose hook raises is recorded in ``failures``; the others
    still load. ``extra_plugins`` are plugin objects (modules or instances) registered directly,
    e.g. by tests. Hooks that would silently do nothing (a ``register_*`` function without
    ``@hookimpl``, a misspelt one, a hook that returns backends instead of registering them) give
    a :class:`PluginWarning`.
    """
    pm = pluggy.PluginManager(GROUP)
    pm.add_hookspecs(hookspecs)
    if tracing():
        pm.add_hookcall_monitoring(_trace_before, _trace_after)
    failures: list[PluginFailure] = []
    plugins: dict[str, str] = {}
    versions: dict[str, tuple[str, str]] = {}
    autoload = not _env_flag("MIRLOOP_DISABLE_PLUGIN_AUTOLOAD")
    allow = {n.strip() for n in os.environ.get("MIRLOOP_PLUGINS", "").split(",") if n.strip()}
    entry_points = _entry_points()
    if allow:
        _warn_unmatched(allow, entry_points)
    for ep in entry_points:
        dist, version = _dist_of(ep)
        builtin = dist == "mirloop"
        if not builtin and (not autoload or (allow and ep.name not in allow)):
            continue
        if pm.get_plugin(ep.name) is not None:
            failures.append(PluginFailure(ep.name, dist, f"entry point name {ep.name!r} is already used by "
                                          f"distribution {plugins[ep.name]!r}; rename one of them"))
            continue
        try:
            module = ep.load()
            pm.register(module, name=ep.name)
        except Exception as exc:  # a broken plugin must not take the others down
            failures.append(_failure(ep.name, dist, exc))
            continue
        try:
            pm.check_pending()  # a misspelt hook implementation fails this plugin only
        except pluggy.PluginValidationError as exc:
            pm.unregister(name=ep.name)
            failures.append(_failure(ep.name, dist, exc))
            continue
        plugins[ep.name] = dist
        versions[ep.name] = (dist, version)
        _warn_about_silent_hooks(ep.name, module)
    for index, plugin in enumerate(extra_plugins):
        name = getattr(plugin, "__name__", None) or f"{type(plugin).__name__}-{index}"
        _warn_about_silent_hooks(name, plugin)
        pm.register(plugin, name=name)
        plugins[name] = "(registered directly)"
        versions[name] = ("(registered directly)", "")
    pm.check_pending()

    added = _StageTable()
    for impl in pm.hook.register_stages.get_hookimpls():
        plugin_name = impl.plugin_name
        try:
            with trace("hook", "register_stages", f"(plugin {plugin_name})"):
                returned = impl.function(register=added.register_for(plugin_name))
        except Exception as exc:
            failures.append(_failure(plugin_name, versions.get(plugin_name, ("?", "?"))[0], exc,
                                     "register_stages: "))
            added.forget(plugin_name)
            continue
        if returned is not None:
            _warn(f"plugin {plugin_name!r}: register_stages() returned {_short(returned)}, which mirloop "
                  f"ignores; call register(stage) once per mirloop.stages.Stage instead of returning them")

    records = own_stage_records() + added.accepted()
    table = _BackendTable({stage.name: {} for stage in records}, {stage.name: stage for stage in records},
                          {clash.name: clash for clash in added.clashes()})
    for hook_name, stages in hookspecs.backend_hooks(records).items():
        hook = getattr(pm.hook, hook_name, None)
        if hook is None:  # a built-in or added stage record names a hook no specification declares
            raise PluginError(f"stage(s) {', '.join(stages)} name the hook {hook_name!r}, which "
                              f"mirloop.hookspecs does not declare; use one of "
                              f"{', '.join(sorted(_backend_hook_names()))}")
        for impl in hook.get_hookimpls():
            plugin_name = impl.plugin_name
            dist, version = versions.get(plugin_name, ("?", "?"))

            def register(
                cls: type, aliases: tuple[str, ...] | list[str] = (), *, _plugin: str = plugin_name,
                _dist: str = dist, _version: str = version, _stages: tuple[str, ...] = stages,
                _hook: str = hook_name,
            ) -> None:
                table.register(cls, tuple(aliases), _plugin, _dist, _version, _stages, _hook)

            try:
                with trace("hook", hook_name, f"(plugin {plugin_name})"):
                    returned = impl.function(register=register)
            except Exception as exc:
                failures.append(_failure(plugin_name, dist, exc, f"{hook_name}: "))
                continue
            if returned is not None:
                _warn(f"plugin {plugin_name!r}: {hook_name}() returned {_short(returned)}, which mirloop "
                      f"ignores; call register(cls) once per backend class instead of returning them")
    return Registry(backends=table.backends, plugins=plugins, failures=tuple(failures), manager=pm,
                    clashes=table.clashes(), autoload=autoload, stages=added.accepted(),
                    stage_clashes=added.clashes())


def _backend_hook_names() -> set[str]:
    """The hooks that register backends: those of the built-in stages, and ``register_backends``."""
    return {*hookspecs.BACKEND_HOOKS, "register_backends"}


class _StageTable:
    """The stages plugins add while ``register_stages`` runs, and the names several plugins claimed."""

    def __init__(self) -> None:
        self.claims: dict[str, list[tuple[str, Stage]]] = {}

    def register_for(self, plugin: str) -> hookspecs.Register:
        """The ``register`` callback handed to ``plugin``'s ``register_stages``."""
        return lambda stage: self.register(stage, plugin)

    def register(self, stage: object, plugin: str) -> None:
        if not isinstance(stage, Stage):
            raise PluginError(f"register_stages in plugin {plugin!r} registered {_short(stage)}, which is "
                              "not a mirloop.stages.Stage record")
        claims = self.claims.get(stage.name, [])
        if any(owner == plugin for owner, _ in claims):
            if any(owner == plugin and record == stage for owner, record in claims):
                return  # the same record twice
            raise PluginError(f"plugin {plugin!r} registers two different stages named {stage.name!r}")
        if any(own.name == stage.name for own in own_stage_records()):
            raise PluginError(f"register_stages in plugin {plugin!r}: stage {stage.name!r} already exists "
                              "(built in, or added by mirloop's caller); choose another name")
        if not isinstance(stage.name, str) or not stage.name.isidentifier():
            raise PluginError(f"register_stages in plugin {plugin!r}: stage name {stage.name!r} must be an "
                              "identifier (it names a configuration table)")
        if stage.hook not in _backend_hook_names():
            raise PluginError(f"stage {stage.name!r} of plugin {plugin!r} names the hook {stage.hook!r}, "
                              "which does not register backends; use 'register_backends' (the default)")
        self.claims[stage.name] = [*claims, (plugin, stage)]

    def forget(self, plugin: str) -> None:
        """Drop the stages of a plugin whose hook failed (they come with the failure, not half-added)."""
        for name in list(self.claims):
            self.claims[name] = [(owner, record) for owner, record in self.claims[name] if owner != plugin]
            if not self.claims[name]:
                del self.claims[name]

    def accepted(self) -> tuple[Stage, ...]:
        return tuple(claims[0][1] for claims in self.claims.values() if len(claims) == 1)

    def clashes(self) -> tuple[StageClash, ...]:
        return tuple(StageClash(name, tuple(owner for owner, _ in claims))
                     for name, claims in sorted(self.claims.items()) if len(claims) > 1)


class PluginWarning(UserWarning):
    """A plugin switch names something that is not installed, or a plugin hook would do nothing."""


def _warn(message: str) -> None:
    warnings.warn(message, PluginWarning, stacklevel=3)


def _short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _warn_about_silent_hooks(plugin: str, obj: object) -> None:
    """Warn about functions that look like hooks but that pluggy would never call.

    A ``register_*`` function without ``@mirloop.hookimpl`` is invisible to pluggy; a marked one
    with a misspelt name fails its plugin (``check_pending``), and a did-you-mean is added there.
    """
    import inspect

    hooks = _hook_names()
    own_module = getattr(obj, "__name__", None) if inspect.ismodule(obj) else None
    for attr, value in sorted(vars(obj).items() if inspect.ismodule(obj) else _members(obj)):
        if not attr.startswith("register_") or not callable(value):
            continue
        if own_module is not None and getattr(value, "__module__", own_module) != own_module:
            continue  # imported from elsewhere, not this plugin's own function
        if hasattr(value, f"{GROUP}_impl"):
            continue  # marked: pluggy calls it, or check_pending reports the misspelling
        if attr in hooks:
            _warn(f"plugin {plugin!r}: {attr}() is not decorated with @mirloop.hookimpl, so mirloop never "
                  "calls it and it registers nothing; add `from mirloop import hookimpl` and `@hookimpl`")
        else:
            _warn(f"plugin {plugin!r}: {attr}() looks like a hook but mirloop has no hook of that name"
                  f"{_nearest_hook(attr)}")


def _members(obj: object) -> list[tuple[str, Any]]:
    """The public attributes of a plugin object (an instance or a class)."""
    return [(name, getattr(obj, name, None)) for name in dir(obj) if not name.startswith("_")]


def _nearest_hook(name: str) -> str:
    """``; did you mean 'register_x'?`` for a misspelt hook name, else the list of hooks."""
    import difflib

    hooks = sorted(_hook_names())
    close = difflib.get_close_matches(name, hooks, n=1)
    return f"; did you mean {close[0]!r}?" if close else f"; the hooks are: {', '.join(hooks)}"


def _hook_names() -> set[str]:
    return {name for name, value in vars(hookspecs).items() if hasattr(value, f"{GROUP}_spec")}


def _warn_unmatched(allow: set[str], entry_points: list[md.EntryPoint]) -> None:
    """Warn about ``MIRLOOP_PLUGINS`` names that match no installed third-party entry point."""
    import difflib

    third_party = sorted({ep.name for ep in entry_points if _dist_of(ep)[0] != "mirloop"})
    for name in sorted(allow - set(third_party)):
        close = difflib.get_close_matches(name, third_party, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        warnings.warn(
            f"MIRLOOP_PLUGINS names {name!r}, which matches no installed third-party plugin{hint} "
            f"(installed: {', '.join(third_party) or 'none'}; `mirloop plugins` lists them). "
            "Only the plugins it names load, besides mirloop's own.",
            PluginWarning,
            stacklevel=3,
        )


def _failure(plugin: str, dist: str, exc: Exception, context: str = "") -> PluginFailure:
    """A failure record: ``context`` (e.g. the hook name), the exception's type and message, the traceback.

    The message is one line holding pluggy's whole reason (a hook parameter not named
    ``register``, a misspelt hook with the nearest name), so it shows without ``-v``.
    """
    message = " ".join(part.strip() for part in str(exc).splitlines() if part.strip())
    if isinstance(exc, pluggy.PluginValidationError):
        message += _validation_hint(str(exc))
    return PluginFailure(plugin, dist, f"{context}{type(exc).__name__}: {message}", traceback.format_exc())


def _validation_hint(reason: str) -> str:
    """What to do about pluggy's reason for refusing a hook implementation."""
    import re

    unknown = re.search(r"unknown hook '(\w+)'", reason)
    if unknown:
        return _nearest_hook(unknown.group(1))
    if "can not be found in the hookspec" in reason:
        return "; every mirloop hook takes exactly one parameter, named `register`"
    return ""


class _BackendTable:
    """Backends by stage and name while the hooks run, and the names several plugins claimed."""

    def __init__(
        self,
        backends: dict[str, dict[str, BackendInfo]],
        records: dict[str, Stage],
        refused: dict[str, StageClash],
    ) -> None:
        self.backends = backends
        self.records = records
        self.refused = refused
        self.claims: dict[tuple[str, str], list[BackendInfo]] = {}

    def register(
        self,
        cls: type,
        aliases: tuple[str, ...],
        plugin: str,
        dist: str,
        version: str,
        stages: tuple[str, ...],
        hook: str,
    ) -> None:
        stage = getattr(cls, "stage", "")
        name = getattr(cls, "name", "")
        if not isinstance(cls, type) or not issubclass(cls, Backend):
            raise PluginError(
                f"{hook} in plugin {plugin!r} registered {cls!r}, which is not a mirloop.stages.Backend class"
            )
        if stage in self.refused:
            raise PluginError(f"{hook} in plugin {plugin!r} registered {cls.__name__} for stage {stage!r}, "
                              f"which is refused: {self.refused[stage].describe()}")
        if stage not in stages:
            raise PluginError(f"{hook} in plugin {plugin!r} registered {cls.__name__} for stage {stage!r}; "
                              f"this hook registers {' or '.join(stages)}")
        if not name:
            raise PluginError(f"{cls.__name__} from plugin {plugin!r} has no name")
        methods = list(self.records[stage].methods)
        if not all(hasattr(cls, m) for m in methods):
            raise PluginError(f"{cls.__name__} from plugin {plugin!r} lacks {methods} for stage {stage!r}")
        info = BackendInfo(stage, name, cls, plugin, dist, version, aliases)
        for key in (name, *aliases):
            existing = self.backends[stage].get(key)
            claimed = self.claims.get((stage, key))
            if claimed is not None:
                claimed.append(info)  # a name already refused stays refused
            elif existing is None or existing.cls is cls:
                self.backends[stage][key] = info
            elif existing.dist == "mirloop" or existing.plugin == plugin:
                raise PluginError(f"{stage} backend name {key!r} from plugin {plugin!r} is already taken by "
                                  f"plugin {existing.plugin!r}")
            else:  # two third-party plugins: neither gets the name
                del self.backends[stage][key]
                self.claims[(stage, key)] = [existing, info]

    def clashes(self) -> tuple[BackendClash, ...]:
        return tuple(BackendClash(stage, name, tuple(claims))
                     for (stage, name), claims in sorted(self.claims.items()))


_REGISTRY: Registry | None = None


def _registry_stages() -> tuple[Stage, ...]:
    """The stages the process-wide registry's plugins add (none before it is built)."""
    return () if _REGISTRY is None else _REGISTRY.stages


read_plugin_stages_from(_registry_stages)


def registry(*, reload: bool = False) -> Registry:
    """The process-wide registry, built on first use."""
    global _REGISTRY
    if _REGISTRY is None or reload:
        _REGISTRY = build_registry()
    return _REGISTRY


_trace_starts: dict[int, float] = {}


def _trace_before(hook_name: str, hook_impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
    _trace_starts[id(kwargs)] = time.perf_counter()
    print(f"[mirloop trace] hook {hook_name} -> {[i.plugin_name for i in hook_impls]}", file=sys.stderr)


def _trace_after(outcome: Any, hook_name: str, hook_impls: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
    started = _trace_starts.pop(id(kwargs), time.perf_counter())
    print(f"[mirloop trace] hook {hook_name} done in {1000 * (time.perf_counter() - started):.1f} ms",
          file=sys.stderr)


@contextlib.contextmanager
def trace(stage: str, backend: str, what: str = "") -> Iterator[None]:
    """Time a backend call; printed to stderr when ``MIRLOOP_TRACE`` is set."""
    started = time.perf_counter()
    try:
        yield
    finally:
        if tracing():
            elapsed = 1000 * (time.perf_counter() - started)
            print(f"[mirloop trace] {stage}:{backend} {what} {elapsed:.1f} ms", file=sys.stderr)
