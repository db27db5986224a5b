"""Coarse genre labels of real music and the catalog genres that count as agreement with each.

The mapping lives in one documented file, ``mirloop/data/real_music/coarse_genres.toml``
(:data:`MAPPING_FILE`); :func:`load_coarse_genres` reads it and checks every genre against the
installed catalog.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Sequence
from pathlib import Path

from attrs import frozen

from mirloop.errors import ConfigError, DatasetError
from mirloop.types.prediction import UNKNOWN

#: The coarse-label → catalog-genre mapping shipped with mirloop.
MAPPING_FILE = Path(__file__).resolve().parent.parent / "data" / "real_music" / "coarse_genres.toml"


@frozen
class CoarseGenres:
    """``accepted[label]`` are the catalog genres that agree with a track of coarse ``label``."""

    accepted: dict[str, tuple[str, ...]]
    source: str = ""

    @property
    def labels(self) -> tuple[str, ...]:
        """The coarse labels, in the file's order."""
        return tuple(self.accepted)

    def agrees(self, label: str, genre: str) -> bool:
        """Whether a predicted catalog ``genre`` agrees with coarse ``label`` (``unknown`` never does)."""
        return genre != UNKNOWN and genre in self.accepted[label]

    def check_label(self, label: str, where: str) -> None:
        """Refuse (:class:`~mirloop.errors.DatasetError`) a label the mapping does not know."""
        if label not in self.accepted:
            raise DatasetError(
                f"{where}: unknown coarse label {label!r}; use one of {', '.join(self.labels)} "
                f"(defined in {self.source or 'the coarse-genre mapping'})"
            )


def load_coarse_genres(
    path: str | os.PathLike[str] | None = None, *, genres: Sequence[str] | None = None
) -> CoarseGenres:
    """Read the mapping at ``path`` (default :data:`MAPPING_FILE`) and check it against ``genres``
    (default: the installed catalog's genres); :class:`~mirloop.errors.ConfigError` names any label
    with no genre or a genre the catalog does not have."""
    file = Path(path) if path is not None else MAPPING_FILE
    try:
        data = tomllib.loads(file.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"the coarse-genre mapping {file} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file} is not valid TOML ({exc})") from exc
    table = data.get("labels")
    if not isinstance(table, dict) or not table:
        raise ConfigError(f"{file} needs a [labels] table: coarse label = [catalog genres]")
    if genres is None:
        from mirloop.catalog import load_catalog

        genres = load_catalog().genres()
    known = set(genres)
    accepted: dict[str, tuple[str, ...]] = {}
    for label, listed in table.items():
        if not isinstance(listed, list) or not listed or not all(isinstance(g, str) for g in listed):
            raise ConfigError(f"{file}: label {label!r} needs a non-empty list of catalog genres")
        unknown = [g for g in listed if g not in known]
        if unknown:
            raise ConfigError(
                f"{file}: label {label!r} lists genre(s) {unknown} the catalog does not have; "
                f"catalog genres are {', '.join(sorted(known))}"
            )
        accepted[str(label)] = tuple(listed)
    return CoarseGenres(accepted, str(file))
