"""The tag → catalog-genre table of the ``musicnn`` classifier (``data/genre_tags.toml``)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import numpy as np
from attrs import frozen
from mirloop.errors import ConfigError

from mirloop_musicnn.tags import MSD_TAGS, MTT_TAGS, PREFIXES, slug

#: The table shipped with the plugin.
DEFAULT_TABLE = Path(__file__).parent / "data" / "genre_tags.toml"
_VOCABULARY = {"mtt": MTT_TAGS, "msd": MSD_TAGS}


@frozen(eq=False)
class GenreTable:
    """Genres and, per feature column, the share of its tag probability each genre gets."""

    genres: tuple[str, ...]
    columns: tuple[str, ...]
    #: ``(n_columns, n_genres)``: ``1 / n(t)`` where the tag's genres are, else 0.
    weights: np.ndarray
    path: Path

    def scores(self, tag_probabilities: np.ndarray) -> np.ndarray:
        """Genre probabilities ``(n, n_genres)`` from tag probabilities ``(n, n_columns)``."""
        scores = np.asarray(tag_probabilities, dtype=np.float64) @ self.weights
        totals = scores.sum(axis=1, keepdims=True)
        uniform = np.full_like(scores, 1.0 / len(self.genres))
        return np.where(totals > 0, scores / np.where(totals > 0, totals, 1.0), uniform)


def load_genre_table(
    path: str | os.PathLike[str] | None = None, *, genres: list[str] | None = None
) -> GenreTable:
    """Read and check a table: format 1, known tags, and (when ``genres`` is given) exactly those genres."""
    source = Path(path).expanduser() if path else DEFAULT_TABLE
    fix = f"fix {source} (see {DEFAULT_TABLE.name} shipped with mirloop-musicnn for the format)"
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the musicnn genre table {source}: {exc}") from exc
    if data.get("format") != 1 or not isinstance(data.get("genres"), dict):
        raise ConfigError(f"the musicnn genre table {source} needs `format = 1` and [genres.<name>] "
                          f"tables; {fix}")
    table: dict[str, dict[str, list[str]]] = data["genres"]
    if genres is not None and sorted(table) != sorted(genres):
        missing, extra = sorted(set(genres) - set(table)), sorted(set(table) - set(genres))
        raise ConfigError(f"the musicnn genre table {source} must list every catalog genre and no other "
                          f"(missing {missing}, unknown {extra}); {fix}")
    columns: list[str] = []
    listed: dict[str, list[str]] = {}
    for genre, entry in table.items():
        for group, vocabulary in _VOCABULARY.items():
            for tag in entry.get(group, []):
                if tag not in vocabulary:
                    raise ConfigError(f"the musicnn genre table {source}: genre {genre!r} lists {tag!r}, "
                                      f"which is not a {group.upper()} tag; {fix}")
                column = PREFIXES[group] + slug(tag)
                if column not in listed:
                    columns.append(column)
                listed.setdefault(column, []).append(genre)
    names = tuple(sorted(table))
    weights = np.zeros((len(columns), len(names)))
    for row, column in enumerate(columns):
        for genre in listed[column]:
            weights[row, names.index(genre)] = 1.0 / len(listed[column])
    return GenreTable(genres=names, columns=tuple(columns), weights=weights, path=source)
