"""The ``musicnn`` classifier: musicnn's real-music tags turned into catalog genres."""

from __future__ import annotations

from typing import ClassVar

from mirloop.errors import ConfigError
from mirloop.stages import Backend, Option
from mirloop.types import Features, Prediction, TargetPrediction

from mirloop_musicnn.genre_table import GenreTable, load_genre_table


class MusicnnTagger(Backend):
    """Genre per window from the ``musicnn`` features' tag columns, through a tag → genre table.

    ``P(genre) ∝ Σ p(tag) / n(tag)`` over the tags the table lists for the genre (``n(tag)``: how
    many genres list the tag), normalised over the catalog genres; see ``data/genre_tags.toml``.
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
    }

    def table(self) -> GenreTable:
        """The configured table, checked against the installed catalog's genres."""
        from mirloop.catalog import load_catalog

        return load_genre_table(self.opts["table"] or None, genres=load_catalog().genres())

    def predict(self, features: Features) -> Prediction:
        table = self.table()
        missing = [c for c in table.columns if c not in features.names]
        if missing:
            raise ConfigError(
                f"the musicnn classifier reads the musicnn tag columns, but the features lack {missing[:3]}"
                f"{' …' if len(missing) > 3 else ''} (from the {features.backend or 'unnamed'!r} backend); "
                "use --use features=musicnn with its mtt and msd groups on"
            )
        index = [features.names.index(c) for c in table.columns]
        probabilities = table.scores(features.values[:, index])
        return Prediction(
            {"genre": TargetPrediction("genre", table.genres, probabilities)},
            model=f"musicnn tags → genres ({table.path.name})",
        )
