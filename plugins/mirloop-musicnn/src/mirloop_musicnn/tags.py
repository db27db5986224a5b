"""The tag vocabularies of the musicnn models and mirloop's column names for them.

Copied from ``musicnn/configuration.py`` (musicnn 0.1.0, ISC license): the 50 most frequent
tags of MagnaTagATune (MTT) and of the Last.fm tags of the Million Song Dataset (MSD), in the
order of the models' outputs. An export whose sidecar lists other tags is refused.
"""

from __future__ import annotations

import re

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
#: The tags of each exported model.
MODEL_TAGS: dict[str, tuple[str, ...]] = {"MTT_musicnn": MTT_TAGS, "MSD_musicnn": MSD_TAGS}
#: Column-name prefix of each tag group.
PREFIXES: dict[str, str] = {"mtt": "musicnn_mtt_", "msd": "musicnn_msd_"}

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


def embedding_columns(size: int) -> tuple[str, ...]:
    """``musicnn_emb_0`` … ``musicnn_emb_<size - 1>``."""
    return tuple(f"{EMBEDDING_PREFIX}{i}" for i in range(size))
