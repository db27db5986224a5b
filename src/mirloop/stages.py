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
features       ``extract(ctx)``            :class:`~mirloop.model.Features` on ``ctx.grid``
tempo          ``estimate_tempo(ctx)``     :class:`~mirloop.model.TempoEstimate`
key            ``estimate_key(ctx)``       :class:`~mirloop.model.KeyEstimate`
segmenter      ``segment(ctx)``            :class:`~mirloop.model.Segmentation`
classifier     ``predict(features)``       :class:`~mirloop.model.Prediction`
renderer       ``render(timeline, seed)``  :class:`~mirloop.model.RenderResult`
=============  ==========================  ======================================================

``ctx`` is a :class:`mirloop.signal.TrackContext`: the mono analysis signal, its grid, and
lazily computed shared representations (STFT-derived frame features, CQT chroma, onset
envelope, beats) so that no two stages compute the same thing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from attrs import frozen

from mirloop.errors import OptionError

if TYPE_CHECKING:
    from mirloop.model import (
        Audio,
        Features,
        KeyEstimate,
        Prediction,
        RenderResult,
        Segmentation,
        TempoEstimate,
    )
    from mirloop.signal import TrackContext

#: Every stage, in pipeline order.
STAGES: tuple[str, ...] = ("separator", "features", "tempo", "key", "segmenter", "classifier", "renderer")


@frozen
class Option:
    """A backend option: default value, converter (``int``, ``float``, ``str``, ``bool``…) and help."""

    default: Any
    type: Callable[[Any], Any] = str
    help: str = ""
    choices: tuple[Any, ...] | None = None

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
    stages = [name for name in unknown if name in STAGES]
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
    def resolve_options(cls, given: dict[str, Any]) -> dict[str, Any]:
        """Defaults updated with ``given``; unknown keys fail with the list of valid ones."""
        unknown = sorted(set(given) - set(cls.options))
        if unknown:
            valid = ", ".join(sorted(cls.options)) or "(none)"
            raise OptionError(
                f"unknown option(s) {', '.join(unknown)} for {cls.stage} backend {cls.name!r}; "
                f"valid options: {valid}{_stage_as_option_hint(cls.stage, unknown)}"
            )
        resolved = {key: option.default for key, option in cls.options.items()}
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


#: The protocol each stage's backends implement.
PROTOCOLS: dict[str, type] = {
    "separator": Separator,
    "features": FeatureExtractor,
    "tempo": TempoInducer,
    "key": KeyInducer,
    "segmenter": Segmenter,
    "classifier": Classifier,
    "renderer": Renderer,
}
