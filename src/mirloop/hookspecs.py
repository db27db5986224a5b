"""The hook specifications a mirloop plugin can implement.

Every hook is a *registration* hook: mirloop calls it once, when the plugin registry is
first built (on the first ``mirloop.plugins.registry()`` call), and passes a ``register``
callback, by keyword: the hook's parameter must be named ``register`` (pluggy matches
parameters by name). A plugin calls ``register(BackendClass)`` once per backend it provides, as
often as it likes (``register_stages`` takes :class:`mirloop.stages.Stage` records instead,
``register_descriptors`` descriptors); it returns nothing (a returned value is ignored, with a
warning).
``BackendClass`` subclasses :class:`mirloop.stages.Backend` (class attributes ``name``,
``stage``, ``options``) and implements the stage's method listed in :mod:`mirloop.stages`.
Registering a class does not instantiate it, so import heavy libraries inside the backend's
methods.

Implement hooks with ``@mirloop.hookimpl`` in a module named by an entry point of the
``mirloop`` group::

    [project.entry-points.mirloop]
    myplugin = "mirloop_myplugin"
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

from mirloop.stages import BUILTIN_STAGES, Stage

hookspec = pluggy.HookspecMarker("mirloop")

Register = Callable[..., None]


@hookspec
def register_separators(register: Register) -> None:
    """Register source separators (stage ``separator``).

    Called once when the registry is built. ``register(cls, aliases=())`` takes a backend
    class whose ``separate(audio: Audio) -> dict[str, Audio]`` returns stems at the input's
    sample rate and length, with at least an ``accompaniment`` stem (``vocals`` if found).
    """


@hookspec
def register_feature_extractors(register: Register) -> None:
    """Register window feature extractors (stage ``features``).

    Called once when the registry is built. ``register(cls, aliases=())`` takes a backend
    class whose ``extract(ctx: TrackContext) -> Features`` returns one row per window of
    ``ctx.grid`` (10-s windows, 2-s hop) with finite values and its column names.
    """


@hookspec
def register_classifiers(register: Register) -> None:
    """Register descriptor classifiers (stage ``classifier``).

    Called once when the registry is built. ``register(cls, aliases=())`` takes a backend
    class whose ``predict(features: Features) -> Prediction`` returns, for each target it
    predicts (genre, subgenre, mood, sentiment, valence, momentum), probabilities per window
    that sum to 1. A classifier that reads the columns of one feature backend names it in
    ``reads_features``.
    """


@hookspec
def register_inducers(register: Register) -> None:
    """Register tempo and key inducers (stages ``tempo`` and ``key``).

    Called once when the registry is built. ``register(cls, aliases=())`` takes a backend
    class with ``stage = "tempo"`` and ``estimate_tempo(ctx) -> TempoEstimate`` (BPM for the
    track and per window, a tempo curve and beats), or ``stage = "key"`` and
    ``estimate_key(ctx) -> KeyEstimate`` (key and mode for the track and per window, with
    confidences in [0, 1]). An analysis runs the tempo stage first and hands its result to the
    other stages as ``ctx.tempo`` and ``ctx.beats`` (the features' ``tempo`` column, the
    segmenter's beats).
    """


@hookspec
def register_segmenters(register: Register) -> None:
    """Register form segmenters (stage ``segmenter``).

    Called once when the registry is built. ``register(cls, aliases=())`` takes a backend
    class whose ``segment(ctx) -> Segmentation`` returns consecutive labelled segments
    (``A``, ``B``, ``A'``…) covering ``[0, ctx.duration]``.
    """


@hookspec
def register_renderers(register: Register) -> None:
    """Register renderers (stage ``renderer``).

    Called once when the registry is built. ``register(cls, aliases=())`` takes a backend
    class whose ``render(timeline, seed=None) -> RenderResult`` turns an Amper-style
    timeline into audio (and, where it can, MIDI and ground truth); the result is a
    :class:`mirloop.types.RenderResult`, never bare ``Audio``.
    """


@hookspec
def register_stages(register: Register) -> None:
    """Add stages (new steps of the analysis, beside the built-in ones).

    Called once when the registry is built, before the hooks that register backends.
    ``register(stage)`` takes a :class:`mirloop.stages.Stage` record: its name (the configuration
    table and ``--use`` key), the protocol its backends implement, the hook that registers them
    (``register_backends`` unless given), its default backend, its result check, and
    ``analysis=True`` for the analysis to run it after the built-in stages, on the same
    ``TrackContext``, and to write its result (see :mod:`mirloop.types.stage_output`). A name
    taken by a built-in stage is refused for the plugin; a name two plugins add is refused for both.
    """


@hookspec
def register_backends(register: Register) -> None:
    """Register backends of the stages plugins add (any stage whose record names this hook).

    Called once when the registry is built, after ``register_stages``. ``register(cls,
    aliases=())`` takes a backend class whose ``stage`` is such a stage and which implements the
    methods of that stage's protocol.
    """


@hookspec
def register_descriptors(register: Register) -> None:
    """Extend the descriptor catalog.

    Called once when the catalog is first loaded. ``register(item)`` takes a
    :class:`~mirloop.types.Descriptor`, or a path to a catalog file in the package's
    catalog format; names must not clash with existing descriptors.
    """


def backend_hooks(stages: tuple[Stage, ...] = BUILTIN_STAGES) -> dict[str, tuple[str, ...]]:
    """The hooks that register backends, each with the stages it serves (from the stage records)."""
    hooks: dict[str, tuple[str, ...]] = {}
    for stage in stages:
        hooks[stage.hook] = (*hooks.get(stage.hook, ()), stage.name)
    return hooks


#: The hooks that register the built-in stages' backends, by the stages they serve.
BACKEND_HOOKS: dict[str, tuple[str, ...]] = backend_hooks()

__all__: list[Any] = ["BACKEND_HOOKS", "backend_hooks", "hookspec"]
