"""The loop's configuration policy: which classifier and separator hear the inputs, how renders are
heard, and the held-out scores of the configured model (for the report)."""

from __future__ import annotations

import os
from typing import Any

from mirloop.classify.backend import DEFAULT_KIND, default_classifier
from mirloop.classify.storage import model_kind
from mirloop.config import Config, load_config, option_variable
from mirloop.errors import ModelError
from mirloop.pipelines.analyze import validate_analysis_config

#: Separator used when separation is on and the configuration names none.
DEFAULT_SEPARATOR = "repet"


def loop_config(
    config: Config | Any = None, *, model: str | os.PathLike[str] | None = None, separate: bool = True
) -> Config:
    """The analysis configuration of the loop: ``model`` picks the classifier (its kind and path),
    else the configured classifier, else the default of ``mirloop classify``; separation on uses
    :data:`DEFAULT_SEPARATOR` unless another separator is configured. A model that cannot be
    read, or was made for other features or another catalog, is refused here
    (:class:`~mirloop.errors.ModelError`)."""
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
    return resolved


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


def heldout_scores(config: Config) -> dict[str, dict[str, float]] | None:
    """The held-out render accuracy per target and descriptor saved with the configured model
    (``MODEL/evaluation/descriptors.json``, written by ``mirloop train``); ``None`` for a
    classifier without a model directory (``model_path``) or a model without the file."""
    from mirloop.classify.evaluation import read_descriptor_scores
    from mirloop.plugins import registry

    backend = registry().create("classifier", config.backend("classifier"), config.options("classifier"))
    try:
        path = backend.model_path() if hasattr(backend, "model_path") else ""
    except ModelError:
        return None
    return read_descriptor_scores(path) if path else None


def render_analysis_config(config: Config, *, segment: bool) -> Config:
    """How renders are analysed: no separation (renders have no vocals); no segmenter unless asked;
    a classifier that tells input domains apart is told these are renders (no real-music adaptation)."""
    from mirloop.plugins import registry

    layer: dict[str, Any] = {"separator": {"backend": "none"}}
    if not segment:
        layer["segmenter"] = {"backend": "none"}
    classifier = registry().get("classifier", config.backend("classifier"))
    listener = getattr(classifier.cls, "render_listener", None)
    if callable(listener):  # the classifier names the set-up that hears renders (e.g. its own model)
        layer.update(listener(classifier.create(config.options("classifier"))))
    elif "domain" in classifier.option_table:
        layer["classifier"] = {"domain": "render"}
    return config.merged(layer, "render analysis")



__all__ = ["DEFAULT_SEPARATOR", "heldout_scores", "loop_config", "render_analysis_config"]
