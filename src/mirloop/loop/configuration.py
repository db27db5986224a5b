"""The loop's configuration policy: which classifier and separator hear the inputs, which model
hears the renders, and the held-out scores of that model (for the report)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from attrs import frozen

from mirloop.classify.backend import DEFAULT_KIND, SHIPPED_MODELS, default_classifier, listener_layer
from mirloop.classify.storage import MODEL_JSON, model_kind
from mirloop.config import Config, load_config, option_variable
from mirloop.errors import ModelError
from mirloop.pipelines.analyze import validate_analysis_config

#: Separator used when separation is on and the configuration names none.
DEFAULT_SEPARATOR = "repet"


def loop_config(
    config: Config | Any = None,
    *,
    model: str | os.PathLike[str] | None = None,
    separate: bool = True,
    listener: str | os.PathLike[str] = "",
) -> Config:
    """The analysis configuration of the loop: ``model`` picks the classifier (its kind and path),
    else the configured classifier, else the default of ``mirloop classify``; separation on uses
    :data:`DEFAULT_SEPARATOR` unless another separator is configured. A model that cannot be
    read, or was made for other features or another catalog, is refused here
    (:class:`~mirloop.errors.ModelError`), the classifier's and the ``listener``'s (the model
    directory that hears the renders, if one is given)."""
    resolved = config if isinstance(config, Config) else load_config(config)
    if model is not None:
        resolved = resolved.merged(
            {"classifier": {"backend": model_kind(model), "model": str(model)}}, "--model"
        )
    if not separate:
        resolved = resolved.merged({"separator": {"backend": "none"}}, "--no-separation")
    elif resolved.backend("separator") == "none":
        resolved = resolved.merged({"separator": {"backend": DEFAULT_SEPARATOR}}, "loop default")
    if resolved.backend("classifier") == "none":  # the loop classifies: by default as `classify` does
        resolved = resolved.merged(_default_classifier(resolved), "loop default")
    validate_analysis_config(resolved)
    resolved.validate()
    _check_model(resolved)
    if listener:
        _check_model(resolved.merged(listener_layer(_model_directory(listener)), "--listener"))
    return resolved


def _model_directory(path: str | os.PathLike[str]) -> str:
    """``path`` when it holds a model written by ``mirloop train``, else a :class:`ModelError`
    naming the fix."""
    if not (Path(path) / MODEL_JSON).is_file():
        raise ModelError(
            f"--listener {path}: no model there ({MODEL_JSON} is missing); give a folder written by "
            "`mirloop train`"
        )
    return str(path)


def _default_classifier(config: Config) -> dict[str, Any]:
    """The input's classifier when none is configured: the real-music default of ``mirloop classify``
    (:func:`~mirloop.classify.backend.default_classifier`: the tagger's genre, the shipped model's
    descriptors within it; the renders are still heard by the shipped model alone), unless a model
    comes from ``$MIRLOOP_MODEL`` or a feature backend it does not read is configured: then the
    shipped model."""
    from mirloop.stages import stage_record

    default = default_classifier()
    record = stage_record("features")
    readable = {record.default if record is not None else "librosa"}
    readable.add(default.get("features", {}).get("backend", "librosa"))
    if option_variable("classifier", "model") or config.backend("features") not in readable:
        return {"classifier": {"backend": DEFAULT_KIND}}
    return default


def _check_model(config: Config) -> None:
    """Load the classifier's model once and refuse it now (:class:`ModelError`) when it cannot serve
    this set-up, instead of failing every track with the same message."""
    from mirloop.classify.setup import check_model_setup
    from mirloop.plugins import registry

    backend = registry().create("classifier", config.backend("classifier"), config.options("classifier"))
    load = getattr(backend, "load", None)
    if callable(load):
        check_model_setup(load(), config)


@frozen
class Listener:
    """The model that hears the loop's renders: ``model`` (a model directory; ``""``: the one the
    input's classifier hears renders with) and ``note``, a warning for the report when that model
    was trained on renders of another production than the renderer makes."""

    model: str = ""
    note: str = ""


def renderer_production(config: Config) -> str:
    """The production the configured renderer makes (its ``production`` option: ``"gm"``,
    ``"genre"``); ``""`` for a renderer without one."""
    from mirloop.classify.setup import resolved_options

    backend = config.backend("renderer")
    if backend == "none":
        return ""
    return str(resolved_options("renderer", backend, config.options("renderer")).get("production", ""))


def hearing(config: Config, listener: str = "") -> dict[str, str]:
    """Who hears what in a loop run, for its report: the input's classifier (backend and model),
    the renderer and its production, and the model that hears the renders (``listener``, else the
    input classifier's own)."""
    backend, model = config.backend("classifier"), classifier_model(config)
    production = renderer_production(config)
    return {
        "inputs": f"{backend} ({model})" if model else backend,
        "renders": config.backend("renderer") + (f", production {production}" if production else ""),
        "renders heard by": listener or model or backend,
    }


def classifier_model(config: Config) -> str:
    """The model directory of the configured classifier (``""`` for a classifier without one)."""
    from mirloop.plugins import registry

    backend = registry().create("classifier", config.backend("classifier"), config.options("classifier"))
    try:
        return str(backend.model_path()) if hasattr(backend, "model_path") else ""
    except ModelError:
        return ""


def choose_listener(config: Config, requested: str | os.PathLike[str] = "") -> Listener:
    """Which model hears the renders. A ``requested`` model directory is used as it is; otherwise
    the model the input's classifier hears renders with, unless it was trained on renders of
    another production than the configured renderer makes: then the model shipped for that
    production (:data:`~mirloop.classify.backend.SHIPPED_MODELS`), or, without one, the classifier's
    own with a note saying so (a model hears renders of its own production best; it heard the
    genre production's renders at .44–.56 when trained on General MIDI renders)."""
    from mirloop.classify.backend import load_cached

    production = renderer_production(config)
    chosen = str(requested) if requested else classifier_model(config)
    if not chosen or not production:
        return Listener(str(requested))
    trained = load_cached(chosen).info.production
    if not trained or trained == production:
        return Listener(str(requested))
    shipped = SHIPPED_MODELS.get(production)
    if not requested and shipped is not None and (Path(shipped) / MODEL_JSON).is_file():
        return Listener(str(shipped))
    return Listener(
        str(requested),
        f"the renders (production {production!r}) are heard by a model trained on {trained!r} renders "
        f"({chosen}), which hears another production's renders poorly: consistency measures that "
        f"mismatch; pass --listener MODEL, a model trained on renders of this production "
        f"(`mirloop dataset generate --set renderer.production={production}`, `mirloop train`)",
    )


def heldout_scores(config: Config, listener: str = "") -> dict[str, dict[str, float]] | None:
    """The held-out render accuracy per target and descriptor saved with the model that hears the
    renders (``listener``, else the configured classifier's model): ``MODEL/evaluation/descriptors.json``,
    written by ``mirloop train``; ``None`` for a classifier without a model directory or a model
    without the file."""
    from mirloop.classify.evaluation import read_descriptor_scores

    path = listener or classifier_model(config)
    return read_descriptor_scores(path) if path else None


def render_analysis_config(config: Config, *, segment: bool, listener: str | None = None) -> Config:
    """How renders are analysed: no separation (renders have no vocals); no segmenter unless asked;
    heard by ``listener`` (a model directory; ``None``: :func:`choose_listener`'s choice; ``""``:
    the input's classifier, told these are renders — no real-music adaptation)."""
    from mirloop.plugins import registry

    if listener is None:
        listener = choose_listener(config).model
    layer: dict[str, Any] = {"separator": {"backend": "none"}}
    if not segment:
        layer["segmenter"] = {"backend": "none"}
    if listener:
        layer.update(listener_layer(listener))
        return config.merged(layer, "render analysis")
    classifier = registry().get("classifier", config.backend("classifier"))
    own = getattr(classifier.cls, "render_listener", None)
    if callable(own):  # the classifier names the set-up that hears renders (e.g. its own model)
        layer.update(own(classifier.create(config.options("classifier"))))
    elif "domain" in classifier.option_table:
        layer["classifier"] = {"domain": "render"}
    return config.merged(layer, "render analysis")


__all__ = [
    "DEFAULT_SEPARATOR",
    "Listener",
    "choose_listener",
    "heldout_scores",
    "loop_config",
    "render_analysis_config",
    "renderer_production",
]
