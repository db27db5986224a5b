"""The backend protocol of each stage.

A backend is a small class: class attributes ``name`` and ``stage``, a table of
``options`` (:class:`Option`), and the stage's method. Plugins hand the *class* to the
registration hooks (see :mod:`mirloop.hookspecs`); mirloop instantiates it with the
configured options only when the stage runs, so heavy libraries are imported inside the
methods (or ``__init__``), never at module level.

=============  ==========================  ======================================================
stage          method                      returns
=============  ==========================  ======================================================
separator      ``separate(audio)``         ``dict[str, Audio]`` with at least ``accompaniment``
features       ``extract(ctx)``            :class:`~mirloop.types.Features` on ``ctx.grid``
tempo          ``estimate_tempo(ctx)``     :class:`~mirloop.types.TempoEstimate`
key            ``estimate_key(ctx)``       :class:`~mirloop.types.KeyEstimate`
segmenter      ``segment(ctx)``            :class:`~mirloop.types.Segmentation`
classifier     ``predict(features)``       :class:`~mirloop.types.Prediction`
renderer       ``render(timeline, seed)``  :class:`~mirloop.types.RenderResult`
=============  ==========================  ======================================================

``ctx`` is a :class:`mirloop.signal.TrackContext`: the mono analysis signal, its grid, and
lazily computed shared representations (STFT-derived frame features, CQT chroma, onset
envelope, beats) so that no two stages compute the same thing twice.

Each stage is one :class:`Stage` record (name, protocol, registration hook, default backend,
result check, conformance check, whether the analysis runs it); the configuration, the plugin
registry, the analysis and the conformance kit read the records, so a new stage is one record:
a plugin hands it to the ``register_stages`` hook (see :mod:`mirloop.hookspecs` and "Adding a
stage" in ``docs/plugin-tutorial.md``), or code running in the process passes it to :func:`add_stage`.
Its backends register through the hook the record names (``register_backends`` by default).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from attrs import field, frozen

from mirloop import stage_results
from mirloop.errors import OptionError, PluginError

if TYPE_CHECKING:
    from mirloop.signal import TrackContext
    from mirloop.types import (
        Audio,
        Features,
        Grid,
        KeyEstimate,
        Prediction,
        RenderResult,
        Segmentation,
        TempoEstimate,
    )


#: :attr:`Option.former`'s value for an option whose default never changed.
UNCHANGED: Any = "<unchanged>"


@frozen
class Option:
    """A backend option: default value, converter (``int``, ``float``, ``str``, ``bool``…) and help.

    ``former`` is the default a changed option had before (or the value an option added later
    stood for): options a run recorded without it (e.g. a dataset's renderer options) are read
    with it (:meth:`Backend.resolve_options` with ``recorded=True``)."""

    default: Any
    type: Callable[[Any], Any] = str
    help: str = ""
    choices: tuple[Any, ...] | None = None
    former: Any = UNCHANGED

    @property
    def unrecorded(self) -> Any:
        """The value a recorded run that left this option out used."""
        return self.default if self.former is UNCHANGED else self.former

    def convert(self, value: Any, *, name: str) -> Any:
        """``value`` converted with :attr:`type` and checked against :attr:`choices`; a string for
        a ``bool`` must be one of :data:`TRUE_WORDS` or :data:`FALSE_WORDS`. ``name`` says whose
        option it is in the :class:`OptionError` (``"option 'x' of backend 'y'"``)."""
        expects = f"{name} expects {getattr(self.type, '__name__', self.type)}, got {value!r}"
        if self.type is bool and isinstance(value, str):
            lowered = value.strip().lower()
            if lowered not in TRUE_WORDS + FALSE_WORDS:
                raise OptionError(expects)
            converted: Any = lowered in TRUE_WORDS
        else:
            try:
                converted = self.type(value)
            except (TypeError, ValueError) as exc:
                raise OptionError(expects) from exc
        if self.choices is not None and converted not in self.choices:
            raise OptionError(f"{name} must be one of {list(self.choices)}, got {converted!r}")
        return converted


#: The strings a ``bool`` option reads as true, and as false (any case, surrounding blanks ignored).
TRUE_WORDS: tuple[str, ...] = ("1", "true", "yes", "on")
FALSE_WORDS: tuple[str, ...] = ("0", "false", "no", "off")


def _stage_as_option_hint(stage: str, unknown: list[str]) -> str:
    """A hint when an unknown option is a stage name: in TOML, a bare ``tempo = "…"`` written after
    a ``[table]`` belongs to that table, so it reaches the table's backend as an option."""
    stages = [name for name in unknown if name in stage_names()]
    if not stages:
        return ""
    name = stages[0]
    return (f". {name!r} is a stage, not an option: in a TOML file, a bare `{name} = \"…\"` written after "
            f"the [{stage}] table belongs to that table; move it above the first table, or write "
            f"[{name}] with backend = \"…\"")


class Backend:
    """Base class for backends: validates options against ``options`` and stores them on ``self.opts``."""

    name: ClassVar[str] = ""
    stage: ClassVar[str] = ""
    options: ClassVar[dict[str, Option]] = {}
    #: One line for ``mirloop plugins``.
    summary: ClassVar[str] = ""
    #: Classifiers only: the feature backend whose columns ``predict`` reads (``""``: any). The
    #: analysis refuses a configuration that pairs the classifier with another feature backend,
    #: and the conformance kit tests the classifier on that backend's features.
    reads_features: ClassVar[str] = ""

    def __init__(self, **options: Any) -> None:
        self.opts: dict[str, Any] = self.resolve_options(options)

    @classmethod
    def resolve_options(cls, given: dict[str, Any], *, recorded: bool = False) -> dict[str, Any]:
        """Defaults updated with ``given``; unknown keys fail with the list of valid ones. With
        ``recorded``, ``given`` is what an earlier run wrote down: options it left out take the
        value they had then (:attr:`Option.unrecorded`)."""
        unknown = sorted(set(given) - set(cls.options))
        if unknown:
            valid = ", ".join(sorted(cls.options)) or "(none)"
            raise OptionError(
                f"unknown option(s) {', '.join(unknown)} for {cls.stage} backend {cls.name!r}; "
                f"valid options: {valid}{_stage_as_option_hint(cls.stage, unknown)}"
            )
        resolved = {k: option.unrecorded if recorded else option.default for k, option in cls.options.items()}
        for key, value in given.items():
            resolved[key] = cls.options[key].convert(value, name=f"option {key!r} of backend {cls.name!r}")
        return resolved


@runtime_checkable
class Separator(Protocol):
    def separate(self, audio: Audio) -> dict[str, Audio]: ...


@runtime_checkable
class FeatureExtractor(Protocol):
    def extract(self, ctx: TrackContext) -> Features: ...


@runtime_checkable
class TempoInducer(Protocol):
    def estimate_tempo(self, ctx: TrackContext) -> TempoEstimate: ...


@runtime_checkable
class KeyInducer(Protocol):
    def estimate_key(self, ctx: TrackContext) -> KeyEstimate: ...


@runtime_checkable
class Segmenter(Protocol):
    def segment(self, ctx: TrackContext) -> Segmentation: ...


@runtime_checkable
class Classifier(Protocol):
    def predict(self, features: Features) -> Prediction: ...


@runtime_checkable
class Renderer(Protocol):
    def render(self, timeline: Any, seed: int | None = None) -> RenderResult: ...


#: What a result check takes and returns: ``check(result, grid)`` -> the problem, or ``None``.
ResultCheck = Callable[[Any, "Grid | None"], "str | None"]


@frozen
class Stage:
    """Everything mirloop needs to know to serve one stage.

    ``name`` is the key in configuration files and ``--use``; ``protocol`` the
    :class:`~typing.Protocol` its backends implement (its public methods are the stage's
    methods, the first the one the stage calls); ``hook`` the registration hook whose
    ``register`` accepts its backends (a hook may serve several stages; ``register_backends``,
    the hook for stages plugins add, unless given); ``default`` the backend
    used unless configured (``"none"``: off); ``analysis``: the analysis validates and runs it;
    ``check(result, grid)`` the cheap type and shape check of what the stage's method returns
    (run as each result returns, and by the conformance kit); ``conformance`` the conformance
    kit's check of a backend instance, a callable or ``"module:function"`` (imported when the
    kit runs, so the kit's layer stays above this one).
    """

    name: str
    protocol: type
    hook: str = "register_backends"
    default: str = "none"
    analysis: bool = False
    check: ResultCheck | None = None
    conformance: str | Callable[[Backend], Any] | None = field(default=None, kw_only=True)

    @property
    def methods(self) -> tuple[str, ...]:
        """The protocol's public methods, in the order it declares them."""
        return tuple(name for name in self.protocol.__dict__ if not name.startswith("_"))

    @property
    def method(self) -> str:
        """The method the stage calls on its backends."""
        return self.methods[0]

    def conformance_check(self) -> Callable[[Backend], Any] | None:
        """The conformance kit's check, imported if given as ``"module:function"``."""
        if self.conformance is None or callable(self.conformance):
            return self.conformance
        from importlib import import_module

        module, _, attr = self.conformance.partition(":")
        check: Callable[[Backend], Any] = getattr(import_module(module), attr)
        return check


_KIT = "mirloop.testing.conformance"
#: The built-in stages, in pipeline order.
BUILTIN_STAGES: tuple[Stage, ...] = (
    Stage("separator", Separator, "register_separators", "none", analysis=True,
          check=stage_results.separator_problem, conformance=f"{_KIT}:check_separator"),
    Stage("features", FeatureExtractor, "register_feature_extractors", "librosa", analysis=True,
          check=stage_results.features_problem, conformance=f"{_KIT}:check_features"),
    Stage("tempo", TempoInducer, "register_inducers", "librosa", analysis=True,
          check=stage_results.tempo_problem, conformance=f"{_KIT}:check_tempo"),
    Stage("key", KeyInducer, "register_inducers", "librosa", analysis=True,
          check=stage_results.key_problem, conformance=f"{_KIT}:check_key"),
    Stage("segmenter", Segmenter, "register_segmenters", "laplacian", analysis=True,
          check=stage_results.segmentation_problem, conformance=f"{_KIT}:check_segmenter"),
    Stage("classifier", Classifier, "register_classifiers", "none", analysis=True,
          check=stage_results.prediction_problem, conformance=f"{_KIT}:check_classifier"),
    Stage("renderer", Renderer, "register_renderers", "mirloop",
          check=stage_results.render_problem, conformance=f"{_KIT}:check_renderer"),
)
_RECORDS: dict[str, Stage] = {stage.name: stage for stage in BUILTIN_STAGES}
#: Where the stages that plugins contribute are read from: set by :mod:`mirloop.plugins` to the
#: process-wide registry's stages (this layer does not import the registry's).
_plugin_stages: Callable[[], tuple[Stage, ...]] = tuple


def read_plugin_stages_from(source: Callable[[], tuple[Stage, ...]]) -> None:
    """Read the stages plugins contribute from ``source()`` (called by :mod:`mirloop.plugins`)."""
    global _plugin_stages
    _plugin_stages = source


def own_stage_records() -> tuple[Stage, ...]:
    """The built-in stages and those passed to :func:`add_stage`, without the plugins' stages."""
    return tuple(_RECORDS.values())


def stage_records() -> tuple[Stage, ...]:
    """Every stage: built-in ones first in pipeline order, then the ones added with :func:`add_stage`,
    then those the loaded plugins contribute (once the plugin registry is built)."""
    own = tuple(_RECORDS.values())
    return own + tuple(stage for stage in _plugin_stages() if stage.name not in _RECORDS)


def added_stage_records() -> tuple[Stage, ...]:
    """The stages that are not built in (added with :func:`add_stage` or by plugins), in order."""
    builtin = {stage.name for stage in BUILTIN_STAGES}
    return tuple(stage for stage in stage_records() if stage.name not in builtin)


def stage_names() -> tuple[str, ...]:
    """The name of every stage (:func:`stage_records`)."""
    return tuple(stage.name for stage in stage_records())


def stage_record(name: str) -> Stage | None:
    """The stage called ``name``; ``None`` when there is none (each caller says so in its own error)."""
    return next((stage for stage in stage_records() if stage.name == name), None)


def stage_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a new stage (taken, or not an identifier); ``None`` if it can."""
    if any(stage.name == name for stage in stage_records()):
        return f"stage {name!r} already exists; choose another name for the new stage"
    if not isinstance(name, str) or not name.isidentifier():
        return f"stage name {name!r} must be an identifier (it names a configuration table)"
    return None


def add_stage(stage: Stage) -> Stage:
    """Make ``stage`` known to the configuration, the registry and the conformance kit.

    A registry built before keeps its stages: rebuild it (:func:`mirloop.plugins.registry` with
    ``reload=True``) to give the new stage its backends. A name already in use is refused.
    A plugin contributes a stage through the ``register_stages`` hook instead.
    """
    problem = stage_name_problem(stage.name)
    if problem is not None:
        raise PluginError(problem)
    _RECORDS[stage.name] = stage
    return stage


def remove_stage(name: str) -> None:
    """Forget a stage added with :func:`add_stage` (the built-in stages stay)."""
    if any(stage.name == name for stage in BUILTIN_STAGES):
        raise PluginError(f"stage {name!r} is built in and cannot be removed")
    _RECORDS.pop(name, None)


def result_problem(stage: str, result: Any, *, grid: Grid | None = None) -> str | None:
    """What is wrong with the type or shapes of ``result`` of ``stage``'s method; ``None`` if nothing.

    ``grid`` is the track's grid, which per-window results must match (not needed for the
    separator and the renderer). The analysis runs this on every result as it returns, and the
    conformance kit before its checks of the values.
    """
    record = stage_record(stage)
    return None if record is None or record.check is None else record.check(result, grid)


#: Every built-in stage, in pipeline order (from :data:`BUILTIN_STAGES`).
STAGES: tuple[str, ...] = tuple(stage.name for stage in BUILTIN_STAGES)
#: The protocol each built-in stage's backends implement (from :data:`BUILTIN_STAGES`).
PROTOCOLS: dict[str, type] = {stage.name: stage.protocol for stage in BUILTIN_STAGES}
