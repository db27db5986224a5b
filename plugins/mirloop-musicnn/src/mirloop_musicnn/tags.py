"""The tag vocabularies of the musicnn models and mirloop's column names for them.

Copied from ``musicnn/configuration.py`` (musicnn 0.1.0, ISC license): the 50 most frequent
tags of MagnaTagATune (MTT) and of the Last.fm tags of the Million Song Dataset (MSD), in the
order of the models' outputs. An export whose sidecar lists other tags is refused.
"""

from __future__ import annotations

import re
from typing import Any

MTT_TAGS: tuple[str, ...] = (
    "guitar", "classical", "slow", "techno", "strings", "drums", "electronic", "rock", "fast", "piano",
    "ambient", "beat", "violin", "vocal", "synth", "female", "indian", "opera", "male", "singing",
    "vocals", "no vocals", "harpsichord", "loud", "quiet", "flute", "woman", "male vocal", "no vocal",
    "pop", "soft", "sitar", "solo", "man", "classic", "choir", "voice", "new age", "dance", "male voice",
    "female vocal", "beats", "harp", "cello", "no voice", "weird", "country", "metal", "female voice",
    "choral",
)
MSD_TAGS: tuple[str, ...] = (
    "rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance", "00s",
    "alternative rock", "jazz", "beautiful", "metal", "chillout", "male vocalists", "classic rock", "soul",
    "indie rock", "Mellow", "electronica", "80s", "folk", "90s", "chill", "instrumental", "punk", "oldies",
    "blues", "hard rock", "ambient", "acoustic", "experimental", "female vocalist", "guitar", "Hip-Hop",
    "70s", "party", "country", "easy listening", "sexy", "catchy", "funk", "electro", "heavy metal",
    "Progressive rock", "60s", "rnb", "indie pop", "sad", "House", "happy",
)
#: The vocabulary (tag group) of each exported model: MagnaTagATune's or the Million Song Dataset's.
MODEL_GROUP: dict[str, str] = {"MTT_musicnn": "mtt", "MSD_musicnn": "msd", "MTT_vgg": "mtt", "MSD_vgg": "msd"}
#: The tags of each exported model.
MODEL_TAGS: dict[str, tuple[str, ...]] = {
    name: MTT_TAGS if group == "mtt" else MSD_TAGS for name, group in MODEL_GROUP.items()
}
#: Column-name prefix of each tag group: the tag columns of ``MTT_musicnn`` and ``MSD_musicnn``.
PREFIXES: dict[str, str] = {"mtt": "musicnn_mtt_", "msd": "musicnn_msd_"}
#: Column-name prefix of each model's tag columns.
MODEL_PREFIXES: dict[str, str] = {
    "MTT_musicnn": PREFIXES["mtt"],
    "MSD_musicnn": PREFIXES["msd"],
    "MTT_vgg": "musicnn_vgg_mtt_",
    "MSD_vgg": "musicnn_vgg_msd_",
}
#: The models whose tags the backends read unless told otherwise.
DEFAULT_MODELS: tuple[str, ...] = ("MTT_musicnn", "MSD_musicnn")

#: Each model's tags, by the group name the data files use.
VOCABULARY: dict[str, tuple[str, ...]] = {"mtt": MTT_TAGS, "msd": MSD_TAGS}
#: Column-name prefix of the MSD model's penultimate embedding.
EMBEDDING_PREFIX = "musicnn_emb_"


def slug(tag: str) -> str:
    """``"Hip-Hop"`` → ``"hip_hop"``: lower case, runs of other characters as one underscore."""
    return re.sub(r"[^a-z0-9]+", "_", tag.lower()).strip("_")


def tag_columns(group: str) -> tuple[str, ...]:
    """Column names of a tag group (``mtt`` or ``msd``), in the model's output order."""
    tags = MTT_TAGS if group == "mtt" else MSD_TAGS
    return tuple(PREFIXES[group] + slug(tag) for tag in tags)


def model_columns(model: str) -> tuple[str, ...]:
    """Column names of ``model``'s tags, in its output order (``MTT_vgg`` → ``musicnn_vgg_mtt_guitar`` …)."""
    return tuple(MODEL_PREFIXES[model] + slug(tag) for tag in MODEL_TAGS[model])


def model_names(value: Any) -> tuple[str, ...]:
    """The converter of a backend option naming models: a list, or a comma-separated string
    (``--set classifier.models=MTT_vgg,MSD_vgg``); blanks stripped, empty names dropped."""
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(name for name in (str(item).strip() for item in items) if name)


def checked_models(names: tuple[str, ...], *, what: str) -> tuple[str, ...]:
    """``names`` in the order of :data:`MODEL_GROUP`, each once; an unknown name or none at all is
    refused with :class:`~mirloop.errors.OptionError` naming the valid ones (``what``: whose setting
    it is, e.g. ``"option 'models' of backend 'musicnn'"``)."""
    from mirloop.errors import OptionError

    unknown = [n for n in names if n not in MODEL_GROUP]
    if unknown or not names:
        problem = f"names unknown models {unknown}" if unknown else "names no model"
        raise OptionError(f"{what} {problem}; choose one or more of {', '.join(MODEL_GROUP)}, "
                          "comma-separated "
                          "(e.g. MTT_musicnn,MSD_vgg)")
    return tuple(n for n in MODEL_GROUP if n in names)


def embedding_columns(size: int) -> tuple[str, ...]:
    """``musicnn_emb_0`` … ``musicnn_emb_<size - 1>``."""
    return tuple(f"{EMBEDDING_PREFIX}{i}" for i in range(size))
