"""The ``knn`` and ``mlp`` classifier backends: a trained hierarchical model behind the stage protocol.

Both read a model directory written by ``mirloop train`` (option ``model``, which the
``MIRLOOP_MODEL`` environment variable gives as a layer of :mod:`mirloop.config`); ``mlp`` falls
back to the model shipped with mirloop (:data:`DEFAULT_MODEL`, see docs/training.md). This
module imports nothing heavy: the model (and scikit-learn) load on the first ``predict``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from mirloop.errors import ModelError
from mirloop.stages import Backend, Option

if TYPE_CHECKING:
    from mirloop.classify.model import HierarchicalModel
    from mirloop.types import Features, Prediction

#: Environment variable giving the ``model`` option (a layer of :mod:`mirloop.config`).
MODEL_ENV = "MIRLOOP_MODEL"

#: The model shipped with mirloop: an MLP trained on a small rendered dataset (docs/training.md).
DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "data" / "models" / "default"
#: The models shipped with mirloop, by the renderer production of their training renders (the
#: model that hears a production's renders best: :func:`mirloop.loop.configuration.choose_listener`).
SHIPPED_MODELS: dict[str, Path] = {"gm": DEFAULT_MODEL, "genre": DEFAULT_MODEL.parent / "genre-production"}
#: The classifier backend the shipped model is for.
DEFAULT_KIND = "mlp"
#: The default classifier for real music when installed: (classifier, feature backend) — the
#: ``fused`` classifier of the mirloop-musicnn plugin (docs/real-music.md has the measurements).
REAL_MUSIC_CLASSIFIER = ("fused", "musicnn")


def default_classifier() -> dict[str, Any]:
    """The configuration layer of the classifier used when none is configured: the real-music
    classifier (:data:`REAL_MUSIC_CLASSIFIER`: genre from a tagger trained on real music, the rest
    of the descriptor from the shipped model) when its plugin is installed, else the shipped model."""
    from mirloop.plugins import registry

    reg = registry()
    classifier, features = REAL_MUSIC_CLASSIFIER
    if classifier in reg.names("classifier") and features in reg.names("features"):
        return {"features": {"backend": features}, "classifier": {"backend": classifier}}
    return {"classifier": {"backend": DEFAULT_KIND}}


def configured_model(given: str | None = None, *, kind: str = DEFAULT_KIND) -> str:
    """The model directory to use: ``given`` (the ``model`` option, which ``$MIRLOOP_MODEL`` gives
    through :func:`mirloop.config.load_config`), else the shipped default when it is of ``kind``
    (``""`` when there is none)."""
    fallback = str(DEFAULT_MODEL) if kind == DEFAULT_KIND else ""
    return str(given or fallback)


_LOADED: dict[tuple[str, float], Any] = {}
#: Models kept loaded at once (the loop's input classifier and its listener take two).
CACHED_MODELS = 4


def load_cached(path: str) -> HierarchicalModel:
    """Load the model at ``path`` once per process (reloaded when ``model.json`` changes); the
    :data:`CACHED_MODELS` most recently used stay loaded."""
    from mirloop.classify.storage import MODEL_JSON, load_model

    try:
        stamp = os.stat(os.path.join(path, MODEL_JSON)).st_mtime
    except OSError:
        stamp = -1.0
    key = (os.path.abspath(path), stamp)
    for stale in [k for k in _LOADED if k[0] == key[0] and k != key]:  # an older version of this model
        del _LOADED[stale]
    model: HierarchicalModel = _LOADED.pop(key) if key in _LOADED else load_model(path)
    _LOADED[key] = model  # the most recently used last
    while len(_LOADED) > CACHED_MODELS:
        del _LOADED[next(iter(_LOADED))]
    return model


def listener_layer(path: str) -> dict[str, Any]:
    """The configuration layer in which the model at ``path`` hears mirloop's own renders: its own
    features and its classifier backend, told the input is a render (no real-music adaptation)."""
    from mirloop.plugins import registry

    model = load_cached(path)
    classifier: dict[str, Any] = {"backend": model.kind, "model": path}
    if "domain" in registry().get("classifier", model.kind).option_table:
        classifier["domain"] = "render"
    return {
        "features": {"backend": model.info.feature_backend or "librosa", **model.info.feature_options},
        "classifier": classifier,
    }


class _HierarchicalClassifier(Backend):
    stage: ClassVar[str] = "classifier"
    options: ClassVar[dict[str, Option]] = {
        "model": Option(
            "", str, "Model directory written by `mirloop train` (default: $MIRLOOP_MODEL, else for mlp "
            "the model shipped with mirloop)."
        ),
        "domain": Option(
            "real", str, "Where the audio comes from: 'real' music (the model's domain adaptation, if it "
            "has one, applies; see `mirloop adapt`) or mirloop's own 'render's (it does not).",
            choices=("real", "render"),
        ),
    }

    def model_path(self) -> str:
        path = configured_model(self.opts["model"], kind=self.name)
        if not path:
            raise ModelError(
                f"the {self.name!r} classifier has no model: train one with `mirloop train DATA/ -o MODEL/ "
                f"--classifier {self.name}` and set it with --set classifier.model=MODEL/ (or ${MODEL_ENV}); "
                f"`{DEFAULT_KIND}` works without one (it uses the model shipped with mirloop)"
            )
        return path

    def load(self) -> HierarchicalModel:
        """The configured model; refused when it is of the other kind or for another catalog."""
        from mirloop.classify.setup import installed_catalog_version

        model = load_cached(self.model_path())
        model.check_setup(catalog_version=installed_catalog_version())
        if model.kind != self.name:
            raise ModelError(
                f"{self.model_path()} holds a {model.kind!r} model but the classifier backend is "
                f"{self.name!r}; "
                f"use --use classifier={model.kind}"
            )
        return model

    def predict(self, features: Features) -> Prediction:
        """Per-window probabilities for genre, subgenre, mood, sentiment, valence, momentum and descriptor."""
        return self.load().predict(features, domain=self.opts["domain"])


class KnnClassifier(_HierarchicalClassifier):
    """Hierarchical k-nearest-neighbours descriptor classifier (the paper's best on renders)."""

    name: ClassVar[str] = "knn"
    summary: ClassVar[str] = "hierarchical KNN descriptor classifier (model trained by `mirloop train`)"


class MlpClassifier(_HierarchicalClassifier):
    """Hierarchical multi-layer-perceptron descriptor classifier (the paper's best on real tracks)."""

    name: ClassVar[str] = "mlp"
    summary: ClassVar[str] = "hierarchical MLP descriptor classifier (model trained by `mirloop train`)"


def is_model_backend(name: str) -> bool:
    """Whether the classifier backend ``name`` serves a model trained by ``mirloop train`` (``knn``,
    ``mlp`` and their subclasses); ``False`` for other and unknown backends."""
    from mirloop.errors import MirloopError
    from mirloop.plugins import registry

    try:
        cls = registry().get("classifier", name).cls
    except MirloopError:
        return False
    return issubclass(cls, _HierarchicalClassifier)
