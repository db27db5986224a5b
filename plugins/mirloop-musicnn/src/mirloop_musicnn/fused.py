"""The ``fused`` classifier: real music's genre from the musicnn tagger, the rest from a trained model.

A descriptor model trained on mirloop's renders tells subgenres, moods and affect apart but
hears the genre of real recordings poorly; the musicnn tagger, trained on real music, hears
the genre and nothing finer. The fused classifier gives the loop a whole descriptor for real
music: it reads the ``musicnn`` features (whose 21 librosa columns feed the model and whose tag
columns feed the tagger), and combines the tagger's genre with the model's genre belief
log-linearly (option ``weight``; :func:`mirloop.classify.hierarchy.with_genre_prior`); every
descriptor keeps the model's probability within its genre, so subgenre, mood, sentiment,
valence and momentum follow the model given the fused genre, decided hierarchically as in the
paper: every target but the genre is conditioned on each window's most probable genre
(:func:`mirloop.classify.hierarchy.within_top_genre`), so a window's labels always name one
descriptor (the fused joint is flatter than the model's, and its marginals' arg-maxima drifted
apart: a folk window with a cinematic subgenre). By default the tagger's evidence is
taken for the whole track (option ``scope``): real pieces rarely change genre between sections,
and a per-window genre jitters between neighbouring genres, which made the loop's multi-region
renders of a track switch genre from section to section. The model's open-set thresholds
are scaled by ``1 - weight``: they were set on the model's own confident outputs, and the tagger
never abstains (at weight 1 nothing is ``unknown``, as with the tagger).

The weight depends on what the input sounds like (option ``gate``): a render detector
(:mod:`mirloop_musicnn.render_detector`, fitted on audio alone) hears whether the track is
render-like (General MIDI synthesis of notes, as the model's training renders are) or a real
recording. Render-like input takes ``weight``, where the model helps; a recording takes
``recording_weight`` (1 by default: the tagger's genre), where the model only pulls the
tagger away from the right genre.

mirloop's own renders (option ``domain = "render"``, which ``mirloop loop`` sets for them) are
classified by the model alone: the loop's consistency keeps measuring renderer and model
against each other, as before.
"""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np
from mirloop.errors import ConfigError
from mirloop.stages import Backend, Option
from mirloop.types import Features, Prediction
from mirloop.types.features import FEATURE_NAMES

from mirloop_musicnn.tags import DEFAULT_MODELS, checked_models, model_names


class MusicnnFused(Backend):
    """Genre from the musicnn tagger fused with a trained descriptor model (``mirloop train``)."""

    name: ClassVar[str] = "fused"
    stage: ClassVar[str] = "classifier"
    summary: ClassVar[str] = "real music: genre from the musicnn tagger, the rest from a trained model"
    reads_features: ClassVar[str] = "musicnn"
    options: ClassVar[dict[str, Option]] = {
        "model": Option(
            "",
            str,
            "model directory of the descriptor model (default: $MIRLOOP_MODEL, else the MLP shipped "
            "with mirloop); trained on the librosa features",
        ),
        "weight": Option(
            0.93,
            float,
            "weight of the tagger's genre against the model's, in [0, 1] (1: the "
            "tagger's genre, 0: the model alone), for input the render detector hears as a render "
            "(for every input when gate = 'none')",
        ),
        "recording_weight": Option(
            1.0,
            float,
            "weight of the tagger's genre for input the render detector hears as a real recording",
        ),
        "gate": Option(
            "detector",
            str,
            "'detector': the weight follows the render detector's verdict on the track; 'none': "
            "`weight` for every input",
            choices=("detector", "none"),
        ),
        "detector": Option(
            "",
            str,
            "render detector file (TOML; default: the one shipped with mirloop-musicnn)",
        ),
        "domain": Option(
            "real",
            str,
            "'real' music (tagger and model fused) or mirloop's own 'render's (the model alone)",
            choices=("real", "render"),
        ),
        "table": Option("", str, "tag → genre table of the tagger (default: mirloop-musicnn's own)"),
        "models": Option(DEFAULT_MODELS, model_names, "the taggers whose tags the tagger reads, averaged per "
                         "vocabulary (see the musicnn classifier); the render detector always reads "
                         "MTT_musicnn and MSD_musicnn"),
        "scope": Option(
            "track",
            str,
            "the tagger's genre evidence per 'track' (its mean over the windows, the same for "
            "every window) or per 'window'",
            choices=("track", "window"),
        ),
    }

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.opts["models"] = checked_models(self.opts["models"],
                                             what=f"option 'models' of backend {self.name!r}")
        for name in ("weight", "recording_weight"):
            weight = self.opts[name]
            if not 0.0 <= weight <= 1.0:
                raise ConfigError(f"option {name!r} of backend 'fused' must lie in [0, 1], got {weight!r}")

    def model_path(self) -> str:
        from mirloop.classify.backend import configured_model

        return configured_model(self.opts["model"] or None)

    def render_listener(self) -> dict[str, Any]:
        """How ``mirloop loop`` hears its renders: the model alone, on its own features (what this
        classifier does with ``domain = "render"``, without extracting the musicnn features)."""
        from mirloop.classify.backend import listener_layer

        return listener_layer(self.model_path())

    def predict(self, features: Features) -> Prediction:
        from mirloop.classify.backend import load_cached
        from mirloop.classify.hierarchy import within_top_genre
        from mirloop.classify.setup import installed_catalog_version

        from mirloop_musicnn.classifier import MusicnnTagger

        model = load_cached(self.model_path())
        model.check_setup(catalog_version=installed_catalog_version())
        base = model_features(features, model.info.feature_names, model.info.feature_backend)
        if self.opts["domain"] == "render":
            return model.predict(base, domain="render")
        tagger = MusicnnTagger(table=self.opts["table"], models=self.opts["models"])
        tagged = tagger.predict(features)["genre"]
        prior = np.full((features.values.shape[0], len(model.classes["genre"])), 0.0)
        for column, genre in enumerate(model.classes["genre"]):
            if genre in tagged.classes:
                prior[:, column] = tagged.probabilities[:, tagged.classes.index(genre)]
        if self.opts["scope"] == "track":  # one genre belief for the whole track: sections keep their genre
            prior[:] = prior.mean(axis=0)
        weight, heard = self.weight_for(features)
        prediction = model.predict(base, domain="real", genre_prior=prior, prior_weight=weight)
        committed = within_top_genre(
            {name: target.probabilities for name, target in prediction.targets.items()},
            model.classes,
            model.descriptor_of,
            model.info.mood_profiles,
        )
        # the model's open-set thresholds were set on its own (confident) outputs; the tagger never
        # abstains, so the thresholds fade with the tagger's weight (none at weight 1)
        targets = {
            name: attrs.evolve(
                target, probabilities=committed[name], threshold=target.threshold * (1.0 - weight)
            )
            for name, target in prediction.targets.items()
        }
        return Prediction(targets, model=f"{prediction.model} + musicnn tags (weight {weight:g}{heard})")

    def weight_for(self, features: Features) -> tuple[float, str]:
        """The tagger's weight for this track, and how the render detector heard it (for the model's name)."""
        if self.opts["gate"] == "none":
            return self.opts["weight"], ""
        from mirloop_musicnn.render_detector import load_render_detector, tag_matrix

        detector = load_render_detector(self.opts["detector"] or None)
        what = f"the {features.backend or 'given'!r} features"
        probability = detector.probability(tag_matrix(features.values, features.names, what=what))
        if probability >= detector.threshold:
            return self.opts["weight"], f"; render-like, p={probability:.2f}"
        return self.opts["recording_weight"], f"; a recording, p(render)={probability:.2f}"


def model_features(features: Features, names: tuple[str, ...], backend: str) -> Features:
    """The columns the descriptor model reads, cut from the musicnn features (which carry them first)."""
    missing = [n for n in names if n not in features.names]
    if missing:
        hint = "--set features.librosa=true" if set(missing) & set(FEATURE_NAMES) else "retrain the model"
        raise ConfigError(
            f"the fused classifier's model reads {missing[:3]}{' …' if len(missing) > 3 else ''}, which the "
            f"{features.backend or 'given'!r} features lack; {hint}"
        )
    index = [features.names.index(n) for n in names]
    return Features(
        grid=features.grid,
        values=features.values[:, index],
        names=names,
        pca_input=features.pca_input,
        backend=backend,
    )
