"""The descriptor hierarchy: which local classifier serves which target, and how they combine.

Following the paper, genre and sentiment are classified at the top (one-vs-rest); the other
targets are classified *given their parent* by one local classifier per parent value:

=========  ==================  ==============================================
target     parent              local classifier per
=========  ==================  ==============================================
genre      —                   (one, one-vs-rest)
subgenre   genre               genre
mood       subgenre            (genre, subgenre)
sentiment  —                   (one, one-vs-rest)
valence    sentiment           sentiment
momentum   sentiment           sentiment
=========  ==================  ==============================================

Full distributions follow from the chain rule, e.g. P(subgenre = s) = Σ_g P(g)·P(s | g) and
P(mood = m) = Σ_{g,s} P(g)·P(s | g)·P(m | g, s); the joint P(g, s, m) is also reported as the
``descriptor`` target (one probability per catalog descriptor seen in training).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from mirloop.classify.estimators import Estimator
from mirloop.model.descriptor import TARGETS

#: The joint genre/subgenre/mood target, reported next to the six paper targets.
DESCRIPTOR_TARGET = "descriptor"
#: Every target a hierarchical model predicts, in report order.
ALL_TARGETS: tuple[str, ...] = (*TARGETS, DESCRIPTOR_TARGET)
#: For each conditioned target, the label columns whose values select its local classifier.
PARENT_PATH: dict[str, tuple[str, ...]] = {
    "genre": (),
    "subgenre": ("genre",),
    "mood": ("genre", "subgenre"),
    "sentiment": (),
    "valence": ("sentiment",),
    "momentum": ("sentiment",),
}
#: Targets classified one-vs-rest at the top of the hierarchy.
TOP_TARGETS: tuple[str, ...] = ("genre", "sentiment")

NodeKey = tuple[str, tuple[str, ...]]


def node_name(key: NodeKey) -> str:
    """A readable, file-safe name such as ``mood|cinematic|ambient``."""
    target, path = key
    return "|".join((target, *path))


def combine(
    nodes: Mapping[NodeKey, Estimator],
    x: np.ndarray,
    classes: Mapping[str, tuple[str, ...]],
    descriptor_of: Mapping[tuple[str, str, str], str],
) -> dict[str, np.ndarray]:
    """Full probability matrices ``(n_windows, n_classes)`` for every target in :data:`ALL_TARGETS`."""
    n = x.shape[0]
    out = {target: np.zeros((n, len(classes[target]))) for target in ALL_TARGETS}
    index = {target: {c: i for i, c in enumerate(classes[target])} for target in ALL_TARGETS}

    genre_node = nodes[("genre", ())]
    p_genre = genre_node.predict_proba(x)
    for gi, genre in enumerate(genre_node.classes):
        out["genre"][:, index["genre"][genre]] += p_genre[:, gi]
        sub_node = nodes[("subgenre", (genre,))]
        p_sub = sub_node.predict_proba(x)
        for si, sub in enumerate(sub_node.classes):
            p_gs = p_genre[:, gi] * p_sub[:, si]
            out["subgenre"][:, index["subgenre"][sub]] += p_gs
            mood_node = nodes[("mood", (genre, sub))]
            p_mood = mood_node.predict_proba(x)
            for mi, mood in enumerate(mood_node.classes):
                p_gsm = p_gs * p_mood[:, mi]
                out["mood"][:, index["mood"][mood]] += p_gsm
                out[DESCRIPTOR_TARGET][:, index[DESCRIPTOR_TARGET][descriptor_of[(genre, sub, mood)]]] += (
                    p_gsm
                )

    sent_node = nodes[("sentiment", ())]
    p_sent = sent_node.predict_proba(x)
    for ei, sentiment in enumerate(sent_node.classes):
        out["sentiment"][:, index["sentiment"][sentiment]] += p_sent[:, ei]
        for child in ("valence", "momentum"):
            child_node = nodes[(child, (sentiment,))]
            p_child = child_node.predict_proba(x)
            for ci, value in enumerate(child_node.classes):
                out[child][:, index[child][value]] += p_sent[:, ei] * p_child[:, ci]

    for target, matrix in out.items():  # guard against rounding drift
        total = matrix.sum(axis=1, keepdims=True)
        out[target] = matrix / np.where(total > 0, total, 1.0)
    return out
