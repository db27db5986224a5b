"""The tag → genre table: every catalog genre, only real tags, and the documented rule."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
from mirloop.catalog import load_catalog
from mirloop.errors import ConfigError

from mirloop_musicnn.genre_table import DEFAULT_TABLE, load_genre_table


def test_the_shipped_table_lists_every_catalog_genre() -> None:
    table = load_genre_table(genres=load_catalog().genres())

    assert table.genres == tuple(sorted(load_catalog().genres()))


def test_each_listed_tag_hands_out_its_whole_probability() -> None:
    table = load_genre_table()

    np.testing.assert_allclose(table.weights.sum(axis=1), 1.0)


def test_a_tag_of_two_genres_counts_half_for_each() -> None:
    table = load_genre_table()
    row = table.weights[table.columns.index("musicnn_mtt_classical")]

    assert dict(zip(table.genres, row, strict=True)) == pytest.approx(
        {g: (0.5 if g in ("cinematic", "documentary") else 0.0) for g in table.genres}
    )


def test_genre_probabilities_are_the_normalised_sums_of_their_tags() -> None:
    table = load_genre_table()
    tags = np.zeros((1, len(table.columns)))
    tags[0, table.columns.index("musicnn_msd_jazz")] = 0.6
    tags[0, table.columns.index("musicnn_mtt_techno")] = 0.2

    probabilities = dict(zip(table.genres, table.scores(tags)[0], strict=True))

    assert probabilities["jazz"] == pytest.approx(0.75)
    assert probabilities["electronica"] == pytest.approx(0.25)


def test_a_table_without_a_catalog_genre_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "table.toml"
    path.write_text('format = 1\n[genres.rock]\nmsd = ["rock"]\n')

    with pytest.raises(ConfigError, match=r"must list every catalog genre.*missing \['ambient'"):
        load_genre_table(path, genres=load_catalog().genres())


def test_a_misspelt_tag_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "table.toml"
    path.write_text('format = 1\n[genres.hiphop]\nmsd = ["hip-hop"]\n')

    with pytest.raises(ConfigError, match="lists 'hip-hop', which is not a MSD tag"):
        load_genre_table(path)


def test_the_readme_shows_the_shipped_table() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    data = tomllib.loads(DEFAULT_TABLE.read_text())

    for genre, entry in data["genres"].items():
        cells = [", ".join(entry.get(group, [])) or "—" for group in ("mtt", "msd")]
        assert f"| {genre} | {cells[0]} | {cells[1]} |" in readme, f"README.md: the {genre} row is stale"
