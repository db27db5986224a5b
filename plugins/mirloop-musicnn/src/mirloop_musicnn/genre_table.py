"""The tag → catalog-genre table of the ``musicnn`` classifier (``data/genre_tags.toml``).

Two rules turn a window's tag probabilities ``p(t)`` into genre probabilities:

* ``lift`` (format 2, the shipped table): ``score(g) = mean over g's tags of p(t) / prior(t)``,
  where ``prior(t)`` is the tag's mean probability over real recordings
  (:mod:`mirloop_musicnn.tag_prior`), so every tag speaks by how much more than usual it is
  heard, and a genre listing many tags gets no more say than one listing few;
* ``sum`` (format 1): ``score(g) = sum over g's tags of p(t) / n(t)``, ``n(t)`` the number of
  genres listing ``t``.

Either way ``P(g) = score(g) / sum of all scores``. ``p(t)`` is the mean of the tag's probability
over the table's models that share its vocabulary (``models``: ``MTT_musicnn`` and ``MSD_musicnn``
by default; ``MTT_vgg`` and ``MSD_vgg`` besides or instead), and ``prior(t)`` the mean of their
priors; the tags of a vocabulary none of the models has are left out.
"""

from __future__ import annotations

import os
import tomllib
from collections import Counter
from pathlib import Path

import numpy as np
from attrs import frozen
from mirloop.errors import ConfigError

from mirloop_musicnn.tag_prior import TagPrior, load_tag_prior
from mirloop_musicnn.tags import DEFAULT_MODELS, MODEL_GROUP, MODEL_PREFIXES, PREFIXES, VOCABULARY, slug

#: The table shipped with the plugin.
DEFAULT_TABLE = Path(__file__).parent / "data" / "genre_tags.toml"
#: Table format → its rule.
RULES = {1: "sum", 2: "lift"}


@frozen(eq=False)
class GenreTable:
    """Genres, and per feature column what each genre makes of its tag."""

    genres: tuple[str, ...]
    #: The tags the table reads, as the columns of ``MTT_musicnn``/``MSD_musicnn`` (``musicnn_mtt_<tag>``…).
    columns: tuple[str, ...]
    #: ``(n_columns, n_genres)``: ``sum`` rule: ``1 / n(t)`` where the tag's genres are, else 0;
    #: ``lift`` rule: ``1 / (prior(t) · m(g))`` there, ``m(g)`` the number of tags genre ``g`` lists.
    weights: np.ndarray
    path: Path
    rule: str = "sum"
    prior: TagPrior | None = None
    #: The models whose tag probabilities are averaged per vocabulary.
    models: tuple[str, ...] = DEFAULT_MODELS

    def feature_columns(self) -> dict[str, list[str]]:
        """Per table column, the feature columns of the table's models that carry its tag."""
        sources = {}
        for column in self.columns:
            group = "mtt" if column.startswith(PREFIXES["mtt"]) else "msd"
            tag = column[len(PREFIXES[group]):]
            sources[column] = [MODEL_PREFIXES[m] + tag for m in self.models if MODEL_GROUP[m] == group]
        return sources

    def tag_probabilities(self, values: np.ndarray, names: tuple[str, ...], *, what: str) -> np.ndarray:
        """``(n, n_columns)``: each table tag's probability averaged over the table's models that
        carry it, from feature ``values`` with column ``names``; missing columns are refused."""
        sources = self.feature_columns()
        index = {name: i for i, name in enumerate(names)}
        missing = [c for columns in sources.values() for c in columns if c not in index]
        if missing:
            more = " …" if len(missing) > 3 else ""
            raise ConfigError(
                f"the musicnn tagger reads the tags of {', '.join(self.models)}, but {what} lack "
                f"{missing[:3]}{more}; "
                f"use --use features=musicnn with --set features.models={','.join(self.models)} (and its mtt "
                "and msd groups on)"
            )
        matrix = np.asarray(values, dtype=np.float64)
        averaged = [matrix[:, [index[c] for c in sources[column]]].mean(axis=1) for column in self.columns]
        return np.stack(averaged, axis=1)

    def scores(self, tag_probabilities: np.ndarray) -> np.ndarray:
        """Genre probabilities ``(n, n_genres)`` from tag probabilities ``(n, n_columns)``."""
        scores = np.asarray(tag_probabilities, dtype=np.float64) @ self.weights
        totals = scores.sum(axis=1, keepdims=True)
        uniform = np.full_like(scores, 1.0 / len(self.genres))
        return np.where(totals > 0, scores / np.where(totals > 0, totals, 1.0), uniform)


def load_genre_table(
    path: str | os.PathLike[str] | None = None,
    *,
    genres: list[str] | None = None,
    models: tuple[str, ...] = DEFAULT_MODELS,
) -> GenreTable:
    """Read and check a table: format 1 or 2, known tags, and (when ``genres`` is given) exactly those
    genres; it reads the tags of ``models`` (averaged per vocabulary, with their averaged prior)."""
    source = Path(path).expanduser() if path else DEFAULT_TABLE
    fix = f"fix {source} (see {DEFAULT_TABLE.name} shipped with mirloop-musicnn for the format)"
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the musicnn genre table {source}: {exc}") from exc
    if data.get("format") not in RULES or not isinstance(data.get("genres"), dict):
        raise ConfigError(f"the musicnn genre table {source} needs `format = 1` (sum rule) or `format = 2` "
                          f"(lift rule) and [genres.<name>] tables; {fix}")
    rule = RULES[data["format"]]
    prior = None
    if rule == "lift":
        named = data.get("prior")
        if not isinstance(named, str) or not named:
            raise ConfigError(f"the musicnn genre table {source} (format 2) needs `prior = \"FILE\"`, "
                              f"a tag prior beside it; {fix}")
        prior = load_tag_prior(source.parent / named)
    table: dict[str, dict[str, list[str]]] = data["genres"]
    if genres is not None and sorted(table) != sorted(genres):
        missing, extra = sorted(set(genres) - set(table)), sorted(set(table) - set(genres))
        raise ConfigError(f"the musicnn genre table {source} must list every catalog genre and no other "
                          f"(missing {missing}, unknown {extra}); {fix}")
    columns: list[str] = []
    listed: dict[str, list[str]] = {}  # column → the genres that list its tag
    tag_of: dict[str, tuple[str, str]] = {}  # column → (group, tag)
    heard = {MODEL_GROUP[m] for m in models}
    for genre, entry in table.items():
        for group, vocabulary in VOCABULARY.items():
            for tag in entry.get(group, []):
                if tag not in vocabulary:
                    raise ConfigError(f"the musicnn genre table {source}: genre {genre!r} lists {tag!r}, "
                                      f"which is not a {group.upper()} tag; {fix}")
                if group not in heard:
                    continue
                column = PREFIXES[group] + slug(tag)
                if column not in listed:
                    columns.append(column)
                    tag_of[column] = (group, tag)
                listed.setdefault(column, []).append(genre)
    names = tuple(sorted(table))
    weights = np.zeros((len(columns), len(names)))
    tags_of_genre = Counter(genre for genres in listed.values() for genre in genres)
    for row, column in enumerate(columns):
        for genre in listed[column]:
            if prior is None:
                weights[row, names.index(genre)] = 1.0 / len(listed[column])
            else:
                lifted = prior.of(*tag_of[column], models) * tags_of_genre[genre]
                weights[row, names.index(genre)] = 1.0 / lifted
    return GenreTable(genres=names, columns=tuple(columns), weights=weights, path=source, rule=rule,
                      prior=prior, models=models)
