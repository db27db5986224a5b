"""The hierarchy combines local classifiers into full distributions by the chain rule."""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.classify.estimators import MlpEstimator
from mirloop.classify.fit import fit_model
from mirloop.classify.hierarchy import AFFECT_FLOOR, ALL_TARGETS
from mirloop.classify.model import HierarchicalModel
from mirloop.classify.windows import LabeledWindows
from tests.classify.conftest import CATALOG_VERSION, SMALL_MLP


def test_every_target_gets_a_distribution_per_window(
    model: HierarchicalModel, windows: LabeledWindows
) -> None:
    matrices = model.predict_matrices(model.design_matrix(windows.values, windows.pca_input))
    assert set(matrices) == set(ALL_TARGETS)
    for target, matrix in matrices.items():
        assert matrix.shape == (len(windows), len(model.classes[target]))
        np.testing.assert_allclose(matrix.sum(axis=1), 1.0, atol=1e-9)
        assert (matrix >= 0).all()


def test_subgenre_is_the_sum_over_genres_of_genre_times_subgenre_given_genre(
    model: HierarchicalModel, windows: LabeledWindows
) -> None:
    x = model.design_matrix(windows.values[:20], windows.pca_input[:20])  # type: ignore[index]
    p_genre = model.nodes[("genre", ())].predict_proba(x)
    expected = np.zeros((len(x), len(model.classes["subgenre"])))
    for gi, genre in enumerate(model.nodes[("genre", ())].classes):
        node = model.nodes[("subgenre", (genre,))]
        p_sub = node.predict_proba(x)
        for si, sub in enumerate(node.classes):
            expected[:, model.classes["subgenre"].index(sub)] += p_genre[:, gi] * p_sub[:, si]
    np.testing.assert_allclose(model.branches(x).marginals["subgenre"], expected, atol=1e-9)


def _summed_over_descriptors(model: HierarchicalModel, joint: np.ndarray, target: str) -> np.ndarray:
    summed = np.zeros((len(joint), len(model.classes[target])))
    for d, name in enumerate(model.classes["descriptor"]):
        genre, subgenre, mood = next(t for t, n in model.descriptor_of.items() if n == name)
        sentiment, valence, momentum = model.info.mood_profiles[mood]
        value = {"genre": genre, "subgenre": subgenre, "mood": mood, "sentiment": sentiment,
                 "valence": str(valence), "momentum": str(momentum)}[target]
        summed[:, model.classes[target].index(value)] += joint[:, d]
    return summed


def test_the_genre_branch_joint_sums_to_its_genre_and_mood_marginals(
    model: HierarchicalModel, windows: LabeledWindows
) -> None:
    marginals = model.branches(model.design_matrix(windows.values, windows.pca_input)).marginals
    for target in ("genre", "mood"):
        summed = _summed_over_descriptors(model, marginals["descriptor"], target)
        np.testing.assert_allclose(summed, marginals[target], atol=1e-9)


def test_coherent_decoding_is_the_product_of_both_branches_and_every_target_its_marginal(
    model: HierarchicalModel, windows: LabeledWindows
) -> None:
    branches = model.branches(model.design_matrix(windows.values, windows.pca_input))
    for weight in (0.5, 1.0):
        matrices = model.decode(branches, weight)
        expected = branches.marginals["descriptor"] * (branches.affect + AFFECT_FLOOR) ** weight
        expected /= expected.sum(axis=1, keepdims=True)
        np.testing.assert_allclose(matrices["descriptor"], expected, atol=1e-9)
        for target in ("genre", "subgenre", "mood", "sentiment", "valence", "momentum"):
            summed = _summed_over_descriptors(model, matrices["descriptor"], target)
            np.testing.assert_allclose(summed, matrices[target], atol=1e-9)


def test_independent_decoding_keeps_each_branch_to_itself(
    model: HierarchicalModel, windows: LabeledWindows
) -> None:
    branches = model.branches(model.design_matrix(windows.values[:30], windows.pca_input[:30]))  # type: ignore[index]
    matrices = model.decode(branches, None)
    for target, matrix in branches.marginals.items():
        np.testing.assert_array_equal(matrices[target], matrix)


def test_the_affect_weight_is_chosen_on_validation_renders(model: HierarchicalModel) -> None:
    params, validation = model.info.hyperparameters, model.info.validation
    assert params["decoding"] == "coherent"
    scores = validation["affect_weight"]
    assert params["affect_weight"] == min(float(w) for w, a in scores.items() if a == max(scores.values()))
    assert model.affect_weight == params["affect_weight"]


def test_children_are_conditioned_on_their_parents(model: HierarchicalModel) -> None:
    keys = set(model.nodes)
    assert ("genre", ()) in keys and ("sentiment", ()) in keys
    assert ("subgenre", ("rock",)) in keys
    assert ("mood", ("cinematic", "ambient")) in keys
    assert ("valence", ("negative",)) in keys and ("momentum", ("positive",)) in keys
    # folk has a single subgenre: its local classifier answers it with certainty
    assert model.nodes[("subgenre", ("folk",))].classes == ("acoustic",)


def test_the_mlp_tops_are_one_vs_rest_and_every_network_converged(mlp_model: HierarchicalModel) -> None:
    genre = mlp_model.nodes[("genre", ())]
    assert isinstance(genre, MlpEstimator)
    assert genre.one_vs_rest and len(genre.nets) == len(genre.classes)
    convergence = mlp_model.convergence()
    assert convergence and all(c["converged"] for c in convergence.values())
    assert all(n < c["max_iter"] for c in convergence.values() for n in c["n_iter"])


def test_early_stopping_is_an_option_of_the_mlp(windows: LabeledWindows) -> None:
    from mirloop.classify.fit import fit_model

    model = fit_model(
        windows,
        "mlp",
        hyperparameters={"hidden_layer_sizes": [16], "early_stopping": True},
        validation_fraction=0.0,
    )
    assert model.info.hyperparameters["early_stopping"] is True
    assert all(c["converged"] for c in model.convergence().values())


def test_networks_trained_on_two_processes_equal_those_trained_here(
    windows: LabeledWindows, mlp_model: HierarchicalModel
) -> None:
    pooled = fit_model(
        windows,
        "mlp",
        hyperparameters=SMALL_MLP,
        provenance={"feature_backend": "librosa", "catalog_version": CATALOG_VERSION},
        workers=2,
    )
    assert pooled.convergence() == mlp_model.convergence()
    x, pca_input = windows.values[:50], windows.pca_input[:50] if windows.pca_input is not None else None
    here = mlp_model.predict_matrices(mlp_model.design_matrix(x, pca_input))
    there = pooled.predict_matrices(pooled.design_matrix(x, pca_input))
    for target, probabilities in here.items():
        np.testing.assert_allclose(there[target], probabilities, atol=1e-6)


def test_early_stopping_auto_is_for_big_networks_only() -> None:
    import pytest

    from mirloop.classify.estimators import EARLY_STOPPING_MIN_ROWS, stops_early
    from mirloop.errors import ModelError

    assert not stops_early("auto", EARLY_STOPPING_MIN_ROWS - 1)
    assert stops_early("auto", EARLY_STOPPING_MIN_ROWS)
    assert stops_early(True, 100) and not stops_early(True, 10) and not stops_early(False, 10**6)
    with pytest.raises(ModelError, match="true, false or 'auto'"):
        stops_early("sometimes", 100)


def test_an_mlp_ensemble_averages_members_trained_from_consecutive_seeds(
    windows: LabeledWindows, tmp_path
) -> None:
    from mirloop.classify.storage import MODEL_JSON, load_model, save_model
    from mirloop.errors import ModelError

    def trained(**extra: object) -> HierarchicalModel:
        return fit_model(
            windows, "mlp", hyperparameters={**SMALL_MLP, **extra}, validation_fraction=0.0,
            provenance={"feature_backend": "librosa", "catalog_version": CATALOG_VERSION},
        )

    ensemble, seed0, seed1 = trained(ensemble=2, seed=0), trained(seed=0), trained(seed=1)
    x = ensemble.design_matrix(windows.values[:30], windows.pca_input[:30])  # type: ignore[index]
    multi_class = next(
        k for k, n in ensemble.nodes.items() if isinstance(n, MlpEstimator) and not n.one_vs_rest
    )
    for key in (("genre", ()), multi_class):  # a one-vs-rest node and a multi-class one
        node = ensemble.nodes[key]
        assert isinstance(node, MlpEstimator) and node.members == 2
        assert len(node.nets) == 2 * len(seed0.nodes[key].nets)  # type: ignore[attr-defined]
        members = (seed0.nodes[key].predict_proba(x), seed1.nodes[key].predict_proba(x))
        np.testing.assert_allclose(node.predict_proba(x), np.mean(members, axis=0), atol=1e-12)
        assert not np.allclose(*members)  # two seeds, two different networks
    saved = save_model(ensemble, tmp_path / "ensemble")
    loaded = load_model(saved)
    np.testing.assert_array_equal(
        loaded.nodes[("genre", ())].predict_proba(x), ensemble.nodes[("genre", ())].predict_proba(x)
    )
    document = (saved / MODEL_JSON).read_text()
    (saved / MODEL_JSON).write_text(document.replace('"members": 2', '"members": 3', 1))
    with pytest.raises(ModelError, match="member"):
        load_model(saved)
