"""The ``musicnn`` classifier: musicnn's real-music tags turned into catalog genres."""

from __future__ import annotations

from typing import Any, ClassVar

from mirloop.stages import Backend, Option
from mirloop.types import Features, Prediction, TargetPrediction

from mirloop_musicnn.genre_table import GenreTable, load_genre_table
from mirloop_musicnn.tags import DEFAULT_MODELS, checked_models, model_names


class MusicnnTagger(Backend):
    """Genre per window from the ``musicnn`` features' tag columns, through a tag → genre table.

    The shipped table's lift rule: ``P(genre) ∝`` the mean over the genre's tags of ``p(tag) /
    prior(tag)``, normalised over the catalog genres; see ``data/genre_tags.toml`` and
    :mod:`mirloop_musicnn.genre_table`. ``p(tag)`` is averaged over the taggers of option
    ``models`` that share the tag's vocabulary.
    Only the ``genre`` target is predicted: musicnn's tags say nothing reliable about the
    catalog's subgenres, and its few mood tags (happy, sad, Mellow, party…) do not map onto the
    catalog's moods, sentiment, valence or momentum without inventing a mapping.
    """

    name: ClassVar[str] = "musicnn"
    stage: ClassVar[str] = "classifier"
    summary: ClassVar[str] = "genre from musicnn's MTT/MSD tags through a documented tag → genre table"
    reads_features: ClassVar[str] = "musicnn"
    options: ClassVar[dict[str, Option]] = {
        "table": Option("", str, "tag → genre table (TOML; default: the table shipped with mirloop-musicnn)"),
        "models": Option(DEFAULT_MODELS, model_names, "the taggers whose tags are read, averaged per "
                         "vocabulary "
                         "(MTT, MSD): any of MTT_musicnn, MSD_musicnn, MTT_vgg, MSD_vgg; the features "
                         "must carry them (features.models)"),
    }

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.opts["models"] = checked_models(self.opts["models"],
                                             what=f"option 'models' of backend {self.name!r}")

    def table(self) -> GenreTable:
        """The configured table, checked against the installed catalog's genres."""
        from mirloop.catalog import load_catalog

        return load_genre_table(self.opts["table"] or None, genres=load_catalog().genres(),
                                models=self.opts["models"])

    def predict(self, features: Features) -> Prediction:
        table = self.table()
        what = f"the features (from the {features.backend or 'unnamed'!r} backend)"
        probabilities = table.scores(table.tag_probabilities(features.values, features.names, what=what))
        return Prediction(
            {"genre": TargetPrediction("genre", table.genres, probabilities)},
            model=f"musicnn tags → genres ({table.path.name})",
        )
