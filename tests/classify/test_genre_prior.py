"""Genre evidence from another listener combined with a model's descriptor hierarchy."""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.classify.hierarchy import (
    DESCRIPTOR_TARGET,
    Branches,
    descriptor_given_genre,
    with_genre_prior,
    within_top_genre,
)
from mirloop.classify.model import HierarchicalModel
from mirloop.classify.windows import LabeledWindows
from mirloop.errors import ModelError
from mirloop.types import Features, Grid


def _matrices(model: HierarchicalModel, windows: LabeledWindows) -> dict[str, np.ndarray]:
    return model.predict_matrices(model.design_matrix(windows.values, windows.pca_input))


def _combine(model: HierarchicalModel, matrices: dict[str, np.ndarray], prior: np.ndarray, weight: float):
    return with_genre_prior(
        matrices, model.classes, model.descriptor_of, model.info.mood_profiles, prior, weight
    )


def _genre_of_descriptor(model: HierarchicalModel) -> np.ndarray:
    genre_of = {name: triple[0] for triple, name in model.descriptor_of.items()}
    return np.array([model.classes["genre"].index(genre_of[d]) for d in model.classes[DESCRIPTOR_TARGET]])


def _within(model: HierarchicalModel, branches: Branches) -> np.ndarray:
    return descriptor_given_genre(branches, model.classes, model.descriptor_of, model.affect_weight)


@pytest.fixture
def prior(mlp_model: HierarchicalModel, windows: LabeledWindows) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.dirichlet(np.ones(len(mlp_model.classes["genre"])), size=len(windows))


def test_weight_one_takes_the_genre_from_the_prior_and_keeps_the_model_within_each_genre(
    mlp_model: HierarchicalModel, windows: LabeledWindows, prior: np.ndarray
) -> None:
    before = _matrices(mlp_model, windows)
    after = _combine(mlp_model, before, prior, 1.0)

    np.testing.assert_allclose(after["genre"], prior, atol=1e-4)
    genre = _genre_of_descriptor(mlp_model)
    for g in range(len(mlp_model.classes["genre"])):
        inside = genre == g
        mass = before[DESCRIPTOR_TARGET][:, inside].sum(axis=1, keepdims=True)
        held = mass[:, 0] > 1e-3  # genres the model all but rules out are shared evenly instead
        share_before = before[DESCRIPTOR_TARGET][held][:, inside] / mass[held]
        share_after = after[DESCRIPTOR_TARGET][held][:, inside]
        share_after = share_after / share_after.sum(axis=1, keepdims=True)
        np.testing.assert_allclose(share_after, share_before, atol=1e-3)
    for target, matrix in after.items():
        np.testing.assert_allclose(matrix.sum(axis=1), 1.0, atol=1e-9, err_msg=target)


def test_a_genre_the_model_rules_out_is_raised_by_strong_evidence_and_shared_evenly(
    mlp_model: HierarchicalModel, windows: LabeledWindows
) -> None:
    before = _matrices(mlp_model, windows)
    genre = _genre_of_descriptor(mlp_model)
    g = int(np.argmin(before["genre"].sum(axis=0)))
    before[DESCRIPTOR_TARGET][:, genre == g] = 0.0  # the model rules genre g out entirely
    prior = np.full((len(windows), len(mlp_model.classes["genre"])), 0.01)
    prior[:, g] = 1.0

    after = _combine(mlp_model, before, prior, 1.0)

    np.testing.assert_allclose(after["genre"][:, g], 1.0 / (1.0 + 0.01 * (prior.shape[1] - 1)), atol=1e-4)
    shares = after[DESCRIPTOR_TARGET][:, genre == g]
    np.testing.assert_allclose(shares, np.repeat(shares[:, :1], shares.shape[1], axis=1), rtol=1e-6)


def test_weight_zero_leaves_the_model_as_it_is_and_half_lies_between(
    mlp_model: HierarchicalModel, windows: LabeledWindows, prior: np.ndarray
) -> None:
    before = _matrices(mlp_model, windows)

    unchanged = _combine(mlp_model, before, prior, 0.0)
    half = _combine(mlp_model, before, prior, 0.5)

    for target in before:
        np.testing.assert_allclose(unchanged[target], before[target], atol=1e-4, err_msg=target)
    distance = lambda a, b: np.abs(a - b).sum()  # noqa: E731
    assert 0 < distance(half["genre"], prior) < distance(before["genre"], prior)


def test_a_confident_prior_changes_the_labels_of_every_target_coherently(
    mlp_model: HierarchicalModel, windows: LabeledWindows
) -> None:
    genres = mlp_model.classes["genre"]
    target_genre = genres.index("folk")
    prior = np.full((len(windows), len(genres)), 1e-3)
    prior[:, target_genre] = 1.0
    rows = windows.subset(np.flatnonzero(windows.labels["genre"] != "folk")[:16])
    features = Features(Grid(duration=2.0 * 15 + 10.0), rows.values, rows.feature_names, rows.pca_input)

    prediction = mlp_model.predict(features, genre_prior=prior[:16], prior_weight=1.0)

    assert set(prediction["genre"].labels) == {"folk"}
    descriptors = {name: triple for triple, name in mlp_model.descriptor_of.items()}
    for label, sub in zip(prediction[DESCRIPTOR_TARGET].labels, prediction["subgenre"].labels):
        assert descriptors[label][0] == "folk" and descriptors[label][1] == sub


def test_bad_priors_and_weights_are_refused(mlp_model: HierarchicalModel, windows: LabeledWindows) -> None:
    rows = windows.subset(np.arange(4))
    features = Features(Grid(duration=16.0), rows.values, rows.feature_names, rows.pca_input)
    with pytest.raises(ModelError, match="prior_weight"):
        mlp_model.predict(
            features, genre_prior=np.ones((4, len(mlp_model.classes["genre"]))), prior_weight=2.0
        )
    with pytest.raises(ValueError, match="genre prior has shape"):
        mlp_model.predict(features, genre_prior=np.ones((4, 2)))


def test_within_the_top_genre_every_windows_labels_name_one_descriptor_of_its_genre(
    mlp_model: HierarchicalModel, windows: LabeledWindows
) -> None:
    rng = np.random.default_rng(7)
    flat = rng.dirichlet(np.ones(len(mlp_model.classes["genre"])), size=len(windows))
    fused = _combine(mlp_model, _matrices(mlp_model, windows), flat, 0.9)  # a flat genre belief

    committed = within_top_genre(
        fused, mlp_model.classes, mlp_model.descriptor_of, mlp_model.info.mood_profiles
    )

    np.testing.assert_array_equal(committed["genre"], fused["genre"])
    triples = {name: triple for triple, name in mlp_model.descriptor_of.items()}
    pick = {t: np.asarray(mlp_model.classes[t])[committed[t].argmax(axis=1)] for t in committed}
    for g, s, m, d in zip(
        pick["genre"], pick["subgenre"], pick["mood"], pick[DESCRIPTOR_TARGET], strict=True
    ):
        assert triples[d] == (g, s, m)
    for target, matrix in committed.items():
        np.testing.assert_allclose(matrix.sum(axis=1), 1.0, atol=1e-9, err_msg=target)


def test_within_genre_probabilities_are_the_decoded_joint_over_its_genres_mass(
    mlp_model: HierarchicalModel, windows: LabeledWindows
) -> None:
    branches = mlp_model.branches(mlp_model.design_matrix(windows.values, windows.pca_input))
    joint = mlp_model.decode(branches, mlp_model.affect_weight)[DESCRIPTOR_TARGET]
    within = _within(mlp_model, branches)

    genre = _genre_of_descriptor(mlp_model)
    for g in range(len(mlp_model.classes["genre"])):
        inside = genre == g
        mass = joint[:, inside].sum(axis=1, keepdims=True)
        held = mass[:, 0] > 1e-3
        np.testing.assert_allclose(within[:, inside].sum(axis=1), 1.0)
        np.testing.assert_allclose(within[held][:, inside], joint[held][:, inside] / mass[held], atol=1e-6)


def test_a_genre_the_model_rules_out_keeps_the_models_view_within_it_when_raised_by_evidence(
    mlp_model: HierarchicalModel, windows: LabeledWindows
) -> None:
    branches = mlp_model.branches(mlp_model.design_matrix(windows.values, windows.pca_input))
    before = mlp_model.decode(branches, mlp_model.affect_weight)
    within = _within(mlp_model, branches)
    genre = _genre_of_descriptor(mlp_model)
    g = int(np.argmin(before["genre"].sum(axis=0)))
    before[DESCRIPTOR_TARGET][:, genre == g] = 0.0  # the model rules genre g out entirely
    prior = np.full((len(windows), len(mlp_model.classes["genre"])), 0.01)
    prior[:, g] = 1.0

    after = with_genre_prior(
        before, mlp_model.classes, mlp_model.descriptor_of, mlp_model.info.mood_profiles, prior, 1.0,
        within=within,
    )

    shares = after[DESCRIPTOR_TARGET][:, genre == g]
    np.testing.assert_allclose(shares / shares.sum(axis=1, keepdims=True), within[:, genre == g], atol=1e-9)
    assert np.ptp(shares / shares.sum(axis=1, keepdims=True), axis=1).mean() > 0.1  # not an even share


def test_a_prediction_with_genre_evidence_reads_the_within_genre_probabilities_of_its_branches(
    mlp_model: HierarchicalModel, windows: LabeledWindows
) -> None:
    rows = windows.subset(np.arange(16))
    branches = mlp_model.branches(mlp_model.design_matrix(rows.values, rows.pca_input))
    within = _within(mlp_model, branches)
    genre = _genre_of_descriptor(mlp_model)
    g = int(np.argmin(branches.marginals["genre"].sum(axis=0)))
    features = Features(Grid(duration=2.0 * 15 + 10.0), rows.values, rows.feature_names, rows.pca_input)
    prior = np.full((16, len(mlp_model.classes["genre"])), 1e-9)
    prior[:, g] = 1.0

    shares = mlp_model.predict(features, genre_prior=prior, prior_weight=1.0)[DESCRIPTOR_TARGET].probabilities
    shares = shares[:, genre == g]

    np.testing.assert_allclose(shares / shares.sum(axis=1, keepdims=True), within[:, genre == g], atol=1e-6)
