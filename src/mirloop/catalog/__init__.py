"""The descriptor catalog: genres → subgenres → moods, resolved into renderable styles.

Public API::

    from mirloop.catalog import load_catalog
    catalog = load_catalog()                    # cached; built-in files + plugins
    d = catalog["cinematic_percussion_primal_pulsing"]   # or catalog.get(id)
    d.style.tempo_range, d.style.bands          # what the renderer reads
    catalog.filter(genre="rock", sentiment="negative")
    catalog.tree()                              # {genre: {subgenre: [mood, ...]}}
    catalog.nearest("rock", "indie", "ominous") # nearest existing descriptor
    catalog.distance(a, b)                      # in [0, 1], see mirloop.catalog.distance
    catalog.version                             # hash of the resolved data

Data lives in ``mirloop/data/catalog/*.toml`` (schema: ``catalog.schema.json``); the resolution
rules are in :mod:`mirloop.catalog.resolve`, drum patterns in :mod:`mirloop.catalog.rhythm`.
"""

from mirloop.catalog.catalog import Catalog
from mirloop.catalog.distance import distance
from mirloop.catalog.load import build_catalog, load_catalog
from mirloop.catalog.mood import Mood
from mirloop.catalog.resolve import MAJOR_LIKE, descriptor_id, descriptor_name
from mirloop.catalog.rhythm import DRUM_NOTES, Pattern, parse_rhythm, steps_per_bar
from mirloop.errors import DescriptorError

__all__ = [
    "DRUM_NOTES",
    "MAJOR_LIKE",
    "Catalog",
    "DescriptorError",
    "Mood",
    "Pattern",
    "build_catalog",
    "descriptor_id",
    "descriptor_name",
    "distance",
    "load_catalog",
    "parse_rhythm",
    "steps_per_bar",
]
