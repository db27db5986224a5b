"""Which backend serves each stage, and with which options.

Sources, later wins: built-in defaults, ``[tool.mirloop]`` in ``pyproject.toml``,
``mirloop.toml`` (both looked up in the working directory), the environment
(``MIRLOOP_CONFIG`` names a file; ``MIRLOOP_USE="tempo=librosa,key=librosa"`` and
``MIRLOOP_SET="tempo.max_bpm=200"``), a ``config=`` mapping or file given from Python, and
``--use stage=name`` / ``--set stage.option=value`` on the command line. Last, the variables of
:data:`OPTION_VARIABLES` (``MIRLOOP_MODEL``, ``MIRLOOP_SOUNDFONT``) each give one option where no
other source sets it and the stage's backend has that option — also when a later
:meth:`Config.merged` switches the stage to a backend that has it (the loop choosing its
classifier, a web job choosing a backend).

File format — one table per stage, ``backend`` picks the backend, the other keys are its
options::

    [tempo]
    backend = "librosa"
    max_bpm = 210

    [segmenter]
    backend = "laplacian"
    max_sections = 8
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from attrs import evolve, field, frozen

from mirloop.errors import ConfigError
from mirloop.stages import BUILTIN_STAGES, stage_names, stage_record, stage_records

#: The backend each built-in stage uses unless configured otherwise (``none`` switches a stage off);
#: from the stage records (:data:`mirloop.stages.BUILTIN_STAGES`).
DEFAULT_BACKENDS: dict[str, str] = {stage.name: stage.default for stage in BUILTIN_STAGES}

#: Tables of a configuration file that are settings, not stages: ``[executor]`` names the Dask
#: scheduler (:func:`mirloop.executors.resolve_scheduler`).
SETTINGS_TABLES = ("executor",)


#: Environment variables that each stand for one backend option, ``(stage, option)``. They rank
#: below every file and flag: :func:`load_config` applies one last, only where no other source set
#: the option and the stage's final backend has it (a ``--use`` that switches backend still gets it,
#: and so does a backend a later :meth:`Config.merged` switches to).
OPTION_VARIABLES: dict[str, tuple[str, str]] = {
    "MIRLOOP_MODEL": ("classifier", "model"),
    "MIRLOOP_SOUNDFONT": ("renderer", "soundfont"),
}


def option_variable(stage: str, option: str, environ: Mapping[str, str] | None = None) -> str:
    """The value the environment gives ``stage.option`` through :data:`OPTION_VARIABLES` (``""``: none)."""
    env = os.environ if environ is None else environ
    for variable, target in OPTION_VARIABLES.items():
        if target == (stage, option):
            return env.get(variable, "")
    return ""


@frozen
class StageConfig:
    backend: str
    options: dict[str, Any] = field(factory=dict)


@frozen
class Config:
    """The resolved configuration: a :class:`StageConfig` per stage, where each part came from, and
    the set variables of :data:`OPTION_VARIABLES` (given again to a backend a merge switches to)."""

    stages: dict[str, StageConfig]
    sources: tuple[str, ...] = ()
    variables: dict[str, str] = field(factory=dict)

    def backend(self, stage: str) -> str:
        return self.stage(stage).backend

    def options(self, stage: str) -> dict[str, Any]:
        return dict(self.stage(stage).options)

    def stage(self, stage: str) -> StageConfig:
        """The configuration of ``stage``; a stage added after this configuration was resolved
        (e.g. by a plugin loaded later) runs its record's default backend."""
        conf = self.stages.get(stage)
        if conf is not None:
            return conf
        record = stage_record(stage)
        if record is None:
            raise ConfigError(f"unknown stage {stage!r}; stages are: {', '.join(stage_names())}")
        return StageConfig(record.default)

    def merged(self, layer: Mapping[str, Any], source: str) -> Config:
        """This config with ``layer`` (``{stage: {"backend": …, option: …}}``) applied on top."""
        stages = dict(self.stages)
        switched: list[str] = []
        for stage, table in layer.items():
            if stage in SETTINGS_TABLES:  # read by their own modules, not backend stages
                continue
            record = stage_record(stage)
            if record is None:
                known = ", ".join(stage_names())
                raise ConfigError(f"{source}: unknown stage {stage!r}; stages are: {known}{_refused(stage)}")
            if isinstance(table, str):
                table = {"backend": table}
            if not isinstance(table, Mapping):
                raise ConfigError(f"{source}: [{stage}] must be a table or a backend name, got {table!r}")
            table = dict(table)
            current = stages.get(stage) or StageConfig(record.default)  # a stage added since
            before = current.backend
            backend = table.pop("backend", None)
            if backend is not None:
                if not isinstance(backend, str) or not backend:
                    raise ConfigError(
                        f"{source}: {stage}.backend must be a non-empty string, got {backend!r}"
                    )
                # options belong to a backend: switching backend drops the previous backend's options
                current = StageConfig(backend, {}) if backend != current.backend else current
            stages[stage] = StageConfig(current.backend, {**current.options, **table})
            if current.backend != before:
                switched.append(stage)
        merged = evolve(self, stages=stages, sources=(*self.sources, source))
        return with_option_variables(merged, self.variables, stages=switched) if switched else merged

    def to_dict(self) -> dict[str, dict[str, Any]]:
        return {stage: {"backend": c.backend, **c.options} for stage, c in self.stages.items()}

    def validate(self) -> None:
        """Check every configured backend exists and accepts its options (raises ConfigError)."""
        from mirloop.plugins import registry

        reg = registry()
        for stage, conf in self.stages.items():
            if conf.backend == "none":
                if conf.options:
                    raise ConfigError(
                        f"stage {stage!r} is switched off ('none') but has options {conf.options}"
                    )
                continue
            reg.get(stage, conf.backend).cls.resolve_options(conf.options)


def _refused(stage: str) -> str:
    """Why plugins that add ``stage`` did not get it (a name two plugins add), if they did not."""
    from mirloop.plugins import registry

    refused = next((clash for clash in registry().stage_clashes if clash.name == stage), None)
    return "" if refused is None else f"; {refused.describe()}"


def defaults() -> Config:
    """Every stage with its record's default backend (:func:`mirloop.stages.stage_records`), the
    stages installed plugins add included (so this builds the plugin registry, if not built yet)."""
    from mirloop.plugins import registry

    registry()
    return Config({stage.name: StageConfig(stage.default) for stage in stage_records()}, ("defaults",))


def read_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    path = Path(path)
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist") from exc
    except IsADirectoryError as exc:
        raise ConfigError(f"config file {path} is a folder; name a TOML file such as mirloop.toml") from exc
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"config file {path} is not UTF-8 text (byte {exc.start}); save it as UTF-8 TOML"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    except RecursionError as exc:
        raise ConfigError(f"config file {path} is nested too deeply; it holds one table per stage") from exc
    except ValueError as exc:  # a NUL in the path
        raise ConfigError(f"config file {str(path)!r} cannot be opened: {exc}") from exc


def parse_value(text: str) -> Any:
    """A command-line value: a TOML literal (``3``, ``0.5``, ``true``, ``"x"``) or else a plain string."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_use(items: Iterable[str], source: str = "--use") -> dict[str, Any]:
    layer: dict[str, Any] = {}
    for item in items:
        for part in filter(None, (p.strip() for p in item.split(","))):
            stage, sep, name = part.partition("=")
            if not sep or not stage.strip() or not name.strip():
                raise ConfigError(f"{source} expects stage=backend (e.g. tempo=librosa), got {part!r}")
            layer.setdefault(stage.strip(), {})["backend"] = name.strip()
    return layer


def parse_set(items: Iterable[str], source: str = "--set") -> dict[str, Any]:
    layer: dict[str, Any] = {}
    for item in items:
        for part in filter(None, (p.strip() for p in item.split(","))):
            key, sep, value = part.partition("=")
            stage, dot, option = key.strip().partition(".")
            if not sep or not dot or not stage or not option:
                raise ConfigError(
                    f"{source} expects stage.option=value (e.g. tempo.max_bpm=200), got {part!r}"
                )
            layer.setdefault(stage, {})[option] = parse_value(value.strip())
    return layer


def load_config(
    config: Config | Mapping[str, Any] | str | os.PathLike[str] | None = None,
    *,
    use: Iterable[str] = (),
    set: Iterable[str] = (),  # mirrors the CLI flag
    cwd: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Config:
    """Resolve the configuration from every source (see the module docstring)."""
    if isinstance(config, Config):
        resolved = config
    else:
        env = os.environ if environ is None else environ
        where = Path(cwd) if cwd is not None else Path.cwd()
        resolved = defaults()
        pyproject = where / "pyproject.toml"
        if pyproject.is_file():
            table = read_toml(pyproject).get("tool", {}).get("mirloop")
            if table:
                resolved = resolved.merged(table, f"{pyproject} [tool.mirloop]")
        local = where / "mirloop.toml"
        if local.is_file():
            resolved = resolved.merged(read_toml(local), str(local))
        if env.get("MIRLOOP_CONFIG"):
            path = env["MIRLOOP_CONFIG"]
            resolved = resolved.merged(read_toml(path), f"MIRLOOP_CONFIG={path}")
        if env.get("MIRLOOP_USE"):
            resolved = resolved.merged(parse_use([env["MIRLOOP_USE"]], "MIRLOOP_USE"), "MIRLOOP_USE")
        if env.get("MIRLOOP_SET"):
            resolved = resolved.merged(parse_set([env["MIRLOOP_SET"]], "MIRLOOP_SET"), "MIRLOOP_SET")
        if isinstance(config, Mapping):
            resolved = resolved.merged(config, "config=")
        elif config is not None:
            resolved = resolved.merged(read_toml(config), str(config))
    use, set_ = list(use), list(set)
    if use:
        resolved = resolved.merged(parse_use(use), "--use")
    if set_:
        resolved = resolved.merged(parse_set(set_), "--set")
    return with_option_variables(resolved, os.environ if environ is None else environ)


def with_option_variables(
    config: Config, environ: Mapping[str, str], *, stages: Iterable[str] | None = None
) -> Config:
    """``config`` with each set variable of :data:`OPTION_VARIABLES` as a layer of its own, for an
    option no layer sets, when the stage's backend is installed and has that option (only for
    ``stages``, when given); the set variables are kept in :attr:`Config.variables`."""
    variables = {name: environ[name] for name in OPTION_VARIABLES if environ.get(name)}
    config = evolve(config, variables=variables)
    wanted = None if stages is None else set(stages)
    for variable, (stage, option) in OPTION_VARIABLES.items():
        value = variables.get(variable, "")
        if not value or (wanted is not None and stage not in wanted):
            continue
        conf = config.stage(stage)
        if conf.backend == "none" or option in conf.options:
            continue
        if option in _backend_options(stage, conf.backend):
            config = config.merged({stage: {option: value}}, f"{variable}={value}")
    return config


def _backend_options(stage: str, backend: str) -> Iterable[str]:
    from mirloop.errors import MirloopError
    from mirloop.plugins import registry

    try:
        return registry().get(stage, backend).cls.options
    except MirloopError:  # an unknown backend: Config.validate names it
        return ()
