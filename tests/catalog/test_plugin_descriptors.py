"""Plugins extend the catalog through the ``register_descriptors`` hook; clashes are errors."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import attrs
import pytest

from mirloop import hookimpl
from mirloop.catalog import build_catalog, descriptor_id
from mirloop.errors import DescriptorError, PluginError
from mirloop.plugins import build_registry

WORLD_GENRE = textwrap.dedent('''
    format = 1

    [instruments.sitar]
    program = 104
    role = "melody"

    [moods.serene]
    sentiment = "positive"
    valence = 1
    momentum = 0
    scales = ["lydian"]
    tempo = [0.0, 0.3]
    density = -0.2

    [genres.world]
    description = "Music from everywhere."

    [genres.world.subgenres.raga]
    tempo = [60, 120]
    scales = ["mixolydian", "phrygian"]
    progressions = { major = [["I"]], minor = [["i"]] }
    register = [40, 84]
    moods = ["serene", "hypnotic"]
    rhythms = ["conga:x..x..x.x..x..x. shaker:x.x.x.x.x.x.x.x."]

    [genres.world.subgenres.raga.bands]
    sitar_and_drone = ["sitar", "warm_pad@pad", "upright_bass", "hand_percussion"]
''')


class CatalogPlugin:
    """A plugin object that registers whatever it is given."""

    def __init__(self, *items: Any) -> None:
        self.items = items

    @hookimpl
    def register_descriptors(self, register: Any) -> None:
        for item in self.items:
            register(item)


def catalog_with(*items: Any) -> Any:
    return build_catalog(build_registry(extra_plugins=(CatalogPlugin(*items),)))


@pytest.fixture
def world_file(tmp_path: Path) -> Path:
    path = tmp_path / "world.toml"
    path.write_text(WORLD_GENRE)
    return path


def test_a_plugin_file_adds_a_genre_using_builtin_moods_and_instruments(world_file: Path) -> None:
    base = build_catalog(plugins=False)
    catalog = catalog_with(world_file)
    assert len(catalog) == len(base) + 2
    serene = catalog["world_raga_serene"]
    assert serene.sentiment == "positive" and serene.id == descriptor_id("world_raga_serene")
    assert catalog["world_raga_hypnotic"].momentum == base["rock_post_hypnotic"].momentum
    assert {i.name for i in serene.style.bands[0].instruments} >= {"sitar", "warm_pad"}
    assert catalog.version != base.version


def test_a_plugin_can_register_a_ready_made_descriptor() -> None:
    base = build_catalog(plugins=False)["rock_indie_driving"]
    name = "rock_garage_driving"
    extra = attrs.evolve(base, name=name, subgenre="garage", id=descriptor_id(name))
    catalog = catalog_with(extra)
    assert catalog[name] == extra
    assert "garage" in catalog.tree()["rock"]


def test_a_descriptor_name_clash_is_an_error() -> None:
    existing = build_catalog(plugins=False)["rock_indie_driving"]
    with pytest.raises(PluginError, match="'rock_indie_driving', which already exists"):
        catalog_with(attrs.evolve(existing, id=12345))


def test_an_id_clash_is_an_error() -> None:
    existing = build_catalog(plugins=False)["rock_indie_driving"]
    with pytest.raises(PluginError, match="already used by 'rock_indie_driving'"):
        catalog_with(attrs.evolve(existing, name="rock_other_driving", subgenre="other"))


def test_a_plugin_file_redefining_a_subgenre_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "clash.toml"
    path.write_text(WORLD_GENRE.replace("[genres.world.subgenres.raga", "[genres.rock.subgenres.indie")
                    .replace("[genres.world]", "[genres.rock]"))
    with pytest.raises(PluginError, match=r"subgenre 'rock_indie'.*already defined"):
        catalog_with(path)


def test_a_plugin_file_redefining_a_mood_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "mood.toml"
    path.write_text('format = 1\n[moods.dark]\nsentiment = "negative"\nvalence = 0\nmomentum = 1\n')
    with pytest.raises(PluginError, match=r"mood 'dark'.*already defined"):
        catalog_with(path)


def test_a_plugin_file_that_breaks_the_schema_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(WORLD_GENRE.replace('valence = 1', 'valence = 7'))
    with pytest.raises(PluginError, match=r"moods\.serene\.valence"):
        catalog_with(path)


def test_pitched_instrument_in_a_percussion_only_subgenre_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "perc.toml"
    path.write_text(WORLD_GENRE.replace("[genres.world.subgenres.raga]",
                                        "[genres.world.subgenres.raga]\npercussion_only = true"))
    with pytest.raises(DescriptorError, match=r"percussion_only.*'sitar'"):
        catalog_with(path)


def test_registering_something_else_is_an_error() -> None:
    with pytest.raises(PluginError, match=r"register a mirloop\.types\.Descriptor"):
        catalog_with(42)
