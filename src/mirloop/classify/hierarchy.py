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

The two branches describe the same music twice: a descriptor's mood *has* a sentiment, valence
and momentum. Decoded independently (``decoding = "independent"``, the paper's way) they can
disagree — a window labelled *uplifting* and *negative* at once. The default ``coherent``
decoding combines them into one distribution over descriptors,

    P*(d) ∝ P(genre_d, subgenre_d, mood_d) · [P(sentiment_d) · P(valence_d | sentiment_d) ·
    P(momentum_d | sentiment_d) + ε] ^ w

(a product of experts; ``w`` is the ``affect_weight``), and every target's distribution is a
marginal of P*, so the six labels of a window always name one descriptor's labels.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from attrs import frozen

from mirloop.classify.estimators import Estimator
from mirloop.errors import InvalidValueError
from mirloop.types.descriptor import TARGETS

#: The joint genre/subgenre/mood target, reported next to the six paper targets.
DESCRIPTOR_TARGET = "descriptor"
#: Floor of the probabilities combined by :func:`with_genre_prior` (a genre the model rules out
#: can still be raised by strong evidence, and no division by zero).
PRIOR_FLOOR = 1e-6
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
#: Candidate weights of the sentiment branch in the coherent decoding, chosen on validation renders;
#: the default when there are too few renders to validate on.
AFFECT_WEIGHTS = (0.0, 0.25, 0.5, 1.0)
DEFAULT_AFFECT_WEIGHT = 0.5
#: Added to the sentiment branch's probabilities before the product, so that a branch certain of
#: another profile (a KNN vote of 5 to 0) lowers a descriptor instead of ruling it out; where the
#: branches exclude each other, the genre branch decides.
AFFECT_FLOOR = 1e-3


def node_name(key: NodeKey) -> str:
    """A readable, file-safe name such as ``mood|cinematic|ambient``."""
    target, path = key
    return "|".join((target, *path))


@frozen(eq=False)
class Branches:
    """The two branches' outputs for a design matrix.

    ``marginals`` holds every target's distribution by the chain rule within its own branch
    (``descriptor`` being the genre branch's joint); ``affect`` is, per descriptor (columns as
    ``classes["descriptor"]``), the sentiment branch's probability of that descriptor's mood
    profile; ``given_genre``, per descriptor, P(subgenre, mood | its genre) — the genre branch
    below its genre node, which stays informative where the model rules the genre itself out.
    """

    marginals: dict[str, np.ndarray]
    affect: np.ndarray
    given_genre: np.ndarray


def branch_probabilities(
    nodes: Mapping[NodeKey, Estimator],
    x: np.ndarray,
    classes: Mapping[str, tuple[str, ...]],
    descriptor_of: Mapping[tuple[str, str, str], str],
    mood_profiles: Mapping[str, tuple[str, int, int]],
) -> Branches:
    """Both branches of the hierarchy on ``x`` (``(n_windows, n_features)``)."""
    n = x.shape[0]
    out = {target: np.zeros((n, len(classes[target]))) for target in ALL_TARGETS}
    given_genre = np.zeros((n, len(classes[DESCRIPTOR_TARGET])))
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
                column = index[DESCRIPTOR_TARGET][descriptor_of[(genre, sub, mood)]]
                out[DESCRIPTOR_TARGET][:, column] += p_gsm
                given_genre[:, column] += p_sub[:, si] * p_mood[:, mi]

    # P(sentiment, valence, momentum) for every profile the sentiment branch can answer
    profile_probability: dict[tuple[str, str, str], np.ndarray] = {}
    sent_node = nodes[("sentiment", ())]
    p_sent = sent_node.predict_proba(x)
    for ei, sentiment in enumerate(sent_node.classes):
        out["sentiment"][:, index["sentiment"][sentiment]] += p_sent[:, ei]
        children = {}
        for child in ("valence", "momentum"):
            child_node = nodes[(child, (sentiment,))]
            children[child] = dict(zip(child_node.classes, child_node.predict_proba(x).T))
            for value, p_value in children[child].items():
                out[child][:, index[child][value]] += p_sent[:, ei] * p_value
        for valence, p_valence in children["valence"].items():
            for momentum, p_momentum in children["momentum"].items():
                profile_probability[(sentiment, valence, momentum)] = p_sent[:, ei] * p_valence * p_momentum

    mood_of = {name: triple[2] for triple, name in descriptor_of.items()}
    affect = np.zeros((n, len(classes[DESCRIPTOR_TARGET])))
    for d, name in enumerate(classes[DESCRIPTOR_TARGET]):
        profile = mood_profiles.get(mood_of.get(name, ""))
        if profile is not None:
            key = (profile[0], str(profile[1]), str(profile[2]))
            if key in profile_probability:
                affect[:, d] = profile_probability[key]
    return Branches({t: _normalised(m) for t, m in out.items()}, affect, given_genre)


def decode(
    branches: Branches,
    classes: Mapping[str, tuple[str, ...]],
    descriptor_of: Mapping[tuple[str, str, str], str],
    mood_profiles: Mapping[str, tuple[str, int, int]],
    affect_weight: float | None,
) -> dict[str, np.ndarray]:
    """Every target's ``(n_windows, n_classes)`` distribution: the branches' own marginals when
    ``affect_weight`` is ``None`` (independent decoding), else the marginals of the coherent
    joint P* (see the module docstring)."""
    if affect_weight is None:
        return dict(branches.marginals)
    genre_joint = branches.marginals[DESCRIPTOR_TARGET]
    joint = _normalised(genre_joint * np.power(branches.affect + AFFECT_FLOOR, affect_weight))
    return joint_marginals(joint, classes, descriptor_of, mood_profiles, branches.marginals)


def descriptor_given_genre(
    branches: Branches,
    classes: Mapping[str, tuple[str, ...]],
    descriptor_of: Mapping[tuple[str, str, str], str],
    affect_weight: float | None,
) -> np.ndarray:
    """Per window, every descriptor's probability *within its genre* (each genre's columns sum
    to 1): P(subgenre, mood | genre), times the sentiment branch's affect as :func:`decode`
    weighs it. It equals the decoded joint divided by its genre's mass, and unlike that ratio it
    holds where the model gives the genre no mass at all."""
    within = branches.given_genre
    if affect_weight is not None:
        within = within * np.power(branches.affect + AFFECT_FLOOR, affect_weight)
    labels_of = {name: _labels_of(t, None) for t, name in descriptor_of.items()}
    membership = _indicator(classes, "genre", labels_of)  # (n_descriptors, n_genres)
    genre_mass = (within @ membership) @ membership.T  # each descriptor's genre's mass
    even = membership @ (1.0 / np.maximum(membership.sum(axis=0), 1.0))  # 1 / descriptors of its genre
    # a genre whose branch gives nothing: its descriptors share it evenly
    return np.where(genre_mass > 0, within / np.where(genre_mass > 0, genre_mass, 1.0), even)


def joint_marginals(
    joint: np.ndarray,
    classes: Mapping[str, tuple[str, ...]],
    descriptor_of: Mapping[tuple[str, str, str], str],
    mood_profiles: Mapping[str, tuple[str, int, int]],
    fallback: Mapping[str, np.ndarray],
) -> dict[str, np.ndarray]:
    """The ``descriptor`` distribution ``joint`` and every target's marginal of it; a window whose
    descriptors carry no label of a target (no mood profile) keeps ``fallback[target]``."""
    labels_of = {name: _labels_of(t, mood_profiles.get(t[2])) for t, name in descriptor_of.items()}
    out = {DESCRIPTOR_TARGET: joint}
    for target in TARGETS:
        marginal = joint @ _indicator(classes, target, labels_of)
        lost = marginal.sum(axis=1) <= 1e-12  # no profile for these descriptors: keep the fallback
        marginal[lost] = fallback[target][lost]
        out[target] = _normalised(marginal)
    return out


def with_genre_prior(
    matrices: Mapping[str, np.ndarray],
    classes: Mapping[str, tuple[str, ...]],
    descriptor_of: Mapping[tuple[str, str, str], str],
    mood_profiles: Mapping[str, tuple[str, int, int]],
    prior: np.ndarray,
    weight: float,
    within: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Every target's distribution after the genre evidence ``prior`` (``(n_windows, n_genres)`` in
    ``classes["genre"]`` order) is combined with the model's genre marginal, log-linearly:
    ``P'(genre) ∝ P(genre)^(1 - weight) · prior(genre)^weight``; each descriptor keeps its
    probability *within* its genre (``P'(d) = P(d) · P'(genre(d)) / P(genre(d))``), so subgenre,
    mood and the affect targets follow the model given the new genre belief. ``weight`` 1 takes
    the genre from the prior alone, 0 leaves the model as it is. ``within``
    (:func:`descriptor_given_genre`) gives those within-genre probabilities directly, so a genre
    the model rules out keeps the model's view of its subgenres and moods; without it such a
    genre's descriptors share it evenly."""
    joint = np.asarray(matrices[DESCRIPTOR_TARGET], dtype=np.float64)
    # a genre whose every descriptor the model rules out can still be raised by the evidence:
    # its descriptors then share it evenly
    joint = _normalised(joint + PRIOR_FLOOR / joint.shape[1])
    prior = np.asarray(prior, dtype=np.float64)
    genres = classes["genre"]
    if prior.shape != (joint.shape[0], len(genres)):
        expected = (joint.shape[0], len(genres))
        raise InvalidValueError(f"genre prior has shape {prior.shape}, expected {expected}")
    labels_of = {name: _labels_of(t, None) for t, name in descriptor_of.items()}
    membership = _indicator(classes, "genre", labels_of)  # (n_descriptors, n_genres)
    model_genre = joint @ membership
    fused = _normalised(
        np.power(model_genre + PRIOR_FLOOR, 1.0 - weight) * np.power(_normalised(prior) + PRIOR_FLOOR, weight)
    )
    if within is not None:
        if within.shape != joint.shape:
            raise InvalidValueError(
                f"within-genre probabilities have shape {within.shape}, expected {joint.shape}"
            )
        reweighted = _normalised(within * (fused @ membership.T))
    else:
        ratio = fused / model_genre  # positive: the joint was floored
        reweighted = _normalised(joint * (ratio @ membership.T))
    return joint_marginals(reweighted, classes, descriptor_of, mood_profiles, matrices)


def within_top_genre(
    matrices: Mapping[str, np.ndarray],
    classes: Mapping[str, tuple[str, ...]],
    descriptor_of: Mapping[tuple[str, str, str], str],
    mood_profiles: Mapping[str, tuple[str, int, int]],
) -> dict[str, np.ndarray]:
    """The paper's hierarchical decision on the joint ``descriptor`` distribution: per window,
    ``subgenre`` given its most probable genre, then ``mood``, ``descriptor`` and the affect targets
    given that genre and its most probable subgenre; ``genre`` is kept as it is. A window's genre,
    subgenre, mood and descriptor labels then always name one descriptor, also where the joint is
    too flat for the marginals' arg-maxima to agree (e.g. after :func:`with_genre_prior`). Where the
    joint gives a chosen branch nothing, its descriptors share it evenly."""
    joint = np.asarray(matrices[DESCRIPTOR_TARGET], dtype=np.float64)
    labels_of = {name: _labels_of(t, None) for t, name in descriptor_of.items()}
    in_genre = _within(joint, _indicator(classes, "genre", labels_of), np.asarray(matrices["genre"]))
    by_genre = joint_marginals(in_genre, classes, descriptor_of, mood_profiles, matrices)
    in_subgenre = _within(in_genre, _indicator(classes, "subgenre", labels_of), by_genre["subgenre"])
    out = joint_marginals(in_subgenre, classes, descriptor_of, mood_profiles, matrices)
    out["genre"] = np.asarray(matrices["genre"])
    out["subgenre"] = by_genre["subgenre"]
    return out


def _within(joint: np.ndarray, membership: np.ndarray, belief: np.ndarray) -> np.ndarray:
    """``joint`` conditioned, per window, on the most probable class of ``belief``; ``membership``
    is ``(n_descriptors, n_classes)``."""
    inside = membership[:, np.argmax(belief, axis=1)].T > 0  # (n_windows, n_descriptors)
    conditional = _normalised(np.where(inside, joint, 0.0))
    empty = conditional.sum(axis=1) <= 0
    conditional[empty] = _normalised(inside[empty].astype(np.float64))
    return conditional


def _indicator(
    classes: Mapping[str, tuple[str, ...]], target: str, labels_of: Mapping[str, Mapping[str, str]]
) -> np.ndarray:
    """``(n_descriptors, n_classes)``: 1 where a descriptor carries a class of ``target``."""
    column = np.zeros((len(classes[DESCRIPTOR_TARGET]), len(classes[target])))
    where = {c: i for i, c in enumerate(classes[target])}
    for d, name in enumerate(classes[DESCRIPTOR_TARGET]):
        value = labels_of[name].get(target)
        if value in where:
            column[d, where[value]] = 1.0
    return column


def _labels_of(triple: tuple[str, str, str], profile: tuple[str, int, int] | None) -> dict[str, str]:
    """The six target labels of a descriptor (the affect ones only when its mood's profile is known)."""
    labels = dict(zip(("genre", "subgenre", "mood"), triple))
    if profile is not None:
        labels.update(sentiment=profile[0], valence=str(profile[1]), momentum=str(profile[2]))
    return labels


def _normalised(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1 (guards against rounding drift; all-zero rows stay zero)."""
    total = matrix.sum(axis=1, keepdims=True)
    return matrix / np.where(total > 0, total, 1.0)
