"""The tag → genre table: every catalog genre, only real tags, and the documented rule."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest
from mirloop.catalog import load_catalog
from mirloop.errors import ConfigError

from mirloop_musicnn.genre_table import DEFAULT_TABLE, GenreTable, load_genre_table
from mirloop_musicnn.tag_prior import load_tag_prior
from mirloop_musicnn.tags import MSD_TAGS, MTT_TAGS, slug


def test_the_shipped_table_lists_every_catalog_genre() -> None:
    table = load_genre_table(genres=load_catalog().genres())

    assert table.genres == tuple(sorted(load_catalog().genres()))


SUM_TABLE = """format = 1
[genres.cinematic]
mtt = ["classical", "strings"]
[genres.documentary]
mtt = ["classical"]
[genres.electronica]
mtt = ["techno"]
[genres.jazz]
msd = ["jazz"]
"""


def _uniform_prior(path: Path, value: float = 0.1, **given: float) -> Path:
    """A prior file giving every tag ``value``, except ``group_tag=…`` overrides (e.g. ``mtt_guitar``)."""
    from mirloop_musicnn.tag_prior import TagPrior, write_tag_prior

    values = {model: {tag: given.get(f"{group}_{slug(tag)}", value) for tag in tags}
              for model, group, tags in (("MTT_musicnn", "mtt", MTT_TAGS), ("MSD_musicnn", "msd", MSD_TAGS))}
    return write_tag_prior(TagPrior(values=values, tracks=3, source="test"), path)


def _tags(table: GenreTable, **given: float) -> np.ndarray:
    tags = np.zeros((1, len(table.columns)))
    for name, p in given.items():
        tags[0, table.columns.index(f"musicnn_{name}")] = p
    return tags


def test_the_shipped_table_reads_tags_by_their_lift_over_the_shipped_prior() -> None:
    table = load_genre_table()

    assert table.rule == "lift" and table.prior is not None and table.prior.tracks > 100


def test_the_sum_rule_hands_out_each_tags_whole_probability(tmp_path: Path) -> None:
    path = tmp_path / "sum.toml"
    path.write_text(SUM_TABLE)
    table = load_genre_table(path)

    np.testing.assert_allclose(table.weights.sum(axis=1), 1.0)
    probabilities = dict(zip(table.genres, table.scores(_tags(table, msd_jazz=0.6, mtt_techno=0.2))[0],
                             strict=True))
    expected = {"cinematic": 0, "documentary": 0, "electronica": 0.25, "jazz": 0.75}
    assert probabilities == pytest.approx(expected)


def test_the_lift_rule_averages_each_genres_tags_over_their_prior(tmp_path: Path) -> None:
    _uniform_prior(tmp_path / "prior.toml", 0.1, mtt_classical=0.4)
    path = tmp_path / "lift.toml"
    path.write_text(SUM_TABLE.replace("format = 1", 'format = 2\nprior = "prior.toml"'))
    table = load_genre_table(path)

    # lifts: classical 0.4/0.4 = 1, strings 0.3/0.1 = 3, techno 0.1/0.1 = 1, jazz 0.2/0.1 = 2
    scores = table.scores(_tags(table, mtt_classical=0.4, mtt_strings=0.3, mtt_techno=0.1, msd_jazz=0.2))[0]
    expected = np.array([(1 + 3) / 2, 1, 1, 2])  # cinematic, documentary, electronica, jazz
    np.testing.assert_allclose(scores, expected / expected.sum())


def test_a_frequent_tag_no_longer_outvotes_a_rare_one(tmp_path: Path) -> None:
    _uniform_prior(tmp_path / "prior.toml", 0.1, mtt_techno=0.5, msd_jazz=0.05)
    path = tmp_path / "lift.toml"
    path.write_text(SUM_TABLE.replace("format = 1", 'format = 2\nprior = "prior.toml"'))
    (tmp_path / "sum.toml").write_text(SUM_TABLE)
    plain = load_genre_table(tmp_path / "sum.toml")
    lift = load_genre_table(path)
    tags = {"mtt_techno": 0.5, "msd_jazz": 0.2}

    assert plain.genres[int(np.argmax(plain.scores(_tags(plain, **tags))))] == "electronica"
    assert lift.genres[int(np.argmax(lift.scores(_tags(lift, **tags))))] == "jazz"


def test_a_lift_table_without_its_prior_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "lift.toml"
    path.write_text(SUM_TABLE.replace("format = 1", "format = 2"))
    with pytest.raises(ConfigError, match="needs `prior"):
        load_genre_table(path)
    path.write_text(SUM_TABLE.replace("format = 1", 'format = 2\nprior = "missing.toml"'))
    with pytest.raises(ConfigError, match=r"cannot read the musicnn tag prior .*missing\.toml"):
        load_genre_table(path)


def test_a_prior_missing_a_tag_or_out_of_range_is_refused(tmp_path: Path) -> None:
    prior = _uniform_prior(tmp_path / "prior.toml", 0.1)
    text = prior.read_text()
    (tmp_path / "short.toml").write_text(text.replace('"guitar" = 0.1\n', "", 1))
    (tmp_path / "over.toml").write_text(text.replace('"techno" = 0.1', '"techno" = 1.5', 1))

    with pytest.raises(ConfigError, match="must give every MTT tag of MTT_musicnn"):
        load_tag_prior(tmp_path / "short.toml")
    with pytest.raises(ConfigError, match="'techno' must be a probability in \\[0, 1\\]"):
        load_tag_prior(tmp_path / "over.toml")
    assert load_tag_prior(prior).of("mtt", "guitar") == pytest.approx(0.1)


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


ALL_MODELS = ("MTT_musicnn", "MSD_musicnn", "MTT_vgg", "MSD_vgg")


def _four_model_prior(path: Path) -> Path:
    """A prior with every model: MTT_musicnn 0.1, MSD_musicnn 0.2, MTT_vgg 0.3, MSD_vgg 0.4 for every tag."""
    from mirloop_musicnn.tag_prior import TagPrior, write_tag_prior
    from mirloop_musicnn.tags import MODEL_TAGS

    values = {model: dict.fromkeys(MODEL_TAGS[model], 0.1 * (i + 1)) for i, model in enumerate(ALL_MODELS)}
    return write_tag_prior(TagPrior(values=values, tracks=2, source="test"), path)


def test_models_that_share_a_vocabulary_are_averaged_tag_by_tag_and_so_are_their_priors(
    tmp_path: Path,
) -> None:
    from mirloop_musicnn.tags import model_columns

    _four_model_prior(tmp_path / "prior.toml")
    path = tmp_path / "lift.toml"
    path.write_text(SUM_TABLE.replace("format = 1", 'format = 2\nprior = "prior.toml"'))
    table = load_genre_table(path, models=ALL_MODELS)
    names = tuple(c for model in ALL_MODELS for c in model_columns(model))
    values = np.random.default_rng(0).random((3, len(names)))

    tags = table.tag_probabilities(values, names, what="the test features")

    techno = table.columns.index("musicnn_mtt_techno")
    expected = (values[:, names.index("musicnn_mtt_techno")]
                + values[:, names.index("musicnn_vgg_mtt_techno")]) / 2
    np.testing.assert_allclose(tags[:, techno], expected)
    assert table.prior is not None
    assert table.prior.of("mtt", "techno", ALL_MODELS) == pytest.approx((0.1 + 0.3) / 2)
    assert table.prior.of("msd", "jazz", ("MSD_vgg",)) == pytest.approx(0.4)
    # electronica lists one tag, techno: its weight is 1 / its averaged prior
    assert table.weights[techno, table.genres.index("electronica")] == pytest.approx(1 / 0.2)


def test_a_vocabulary_without_a_model_is_not_heard(tmp_path: Path) -> None:
    path = tmp_path / "sum.toml"
    path.write_text(SUM_TABLE)

    table = load_genre_table(path, models=("MTT_vgg",))

    assert table.columns == ("musicnn_mtt_classical", "musicnn_mtt_strings", "musicnn_mtt_techno")
    assert table.feature_columns()["musicnn_mtt_techno"] == ["musicnn_vgg_mtt_techno"]


def test_features_without_a_chosen_models_columns_are_refused_with_the_setting_that_makes_them(
    tmp_path: Path,
) -> None:
    from mirloop_musicnn.tags import model_columns

    path = tmp_path / "sum.toml"
    path.write_text(SUM_TABLE)
    table = load_genre_table(path, models=ALL_MODELS)
    names = model_columns("MTT_musicnn") + model_columns("MSD_musicnn")

    with pytest.raises(ConfigError, match=r"lack \['musicnn_vgg_mtt_classical'.*"
                                          r"--set features.models=MTT_musicnn,MSD_musicnn,MTT_vgg,MSD_vgg"):
        table.tag_probabilities(np.zeros((1, len(names))), names, what="the features")


def test_a_prior_of_the_first_format_holds_the_musicnn_models_only(tmp_path: Path) -> None:
    prior = _uniform_prior(tmp_path / "prior.toml", 0.1)
    first = prior.read_text().replace("[MTT_musicnn]", "[mtt]").replace("[MSD_musicnn]", "[msd]")
    (tmp_path / "first.toml").write_text(first)

    read = load_tag_prior(tmp_path / "first.toml")

    assert sorted(read.values) == ["MSD_musicnn", "MTT_musicnn"]
    assert read.of("mtt", "guitar") == pytest.approx(0.1)
    with pytest.raises(ConfigError, match=r"has no values for MTT_vgg.*mirloop-musicnn prior"):
        read.of("mtt", "guitar", ("MTT_musicnn", "MTT_vgg"))
