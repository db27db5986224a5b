"""A trained hierarchical descriptor model: local classifiers, PCA projection and metadata."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from attrs import define, field, frozen

from mirloop.classify.adaptation import Adaptation
from mirloop.classify.estimators import Estimator, MlpEstimator
from mirloop.classify.hierarchy import (
    ALL_TARGETS,
    DEFAULT_AFFECT_WEIGHT,
    Branches,
    NodeKey,
    branch_probabilities,
    decode,
    descriptor_given_genre,
    node_name,
    with_genre_prior,
)
from mirloop.classify.windows import str_tuple
from mirloop.errors import ModelError
from mirloop.types.features import PCA_NAMES, Features, Projection
from mirloop.types.prediction import Prediction, TargetPrediction

#: Name of the on-disk format, and its version (bumped on incompatible changes).
FORMAT_NAME = "mirloop-descriptor-model"
FORMAT_VERSION = 1
#: Where a model's input comes from: real music (the adaptation applies) or mirloop's renders.
DOMAINS: tuple[str, ...] = ("real", "render")


def _profiles(value: Mapping[str, Any]) -> dict[str, tuple[str, int, int]]:
    return {str(mood): (str(p[0]), int(p[1]), int(p[2])) for mood, p in value.items()}


@frozen
class ModelInfo:
    """Everything needed to decide whether a model fits the current set-up, and how it was made.

    ``feature_backend``/``feature_options`` name the extractor that produced the training
    table; ``table_sha256`` hashes that table; ``heldout_groups`` are renders kept out of
    training for evaluation; ``thresholds`` are the open-set thresholds per target;
    ``mood_profiles`` the (sentiment, valence, momentum) of each mood, for mood distances;
    ``renders`` how the training renders were made (renderer and options,
    :meth:`~mirloop.classify.feature_table.DatasetInfo.render_settings`; ``{}``: not recorded).
    """

    kind: str
    feature_names: tuple[str, ...] = field(converter=str_tuple)
    feature_backend: str = ""
    feature_options: dict[str, Any] = field(factory=dict)
    catalog_version: str = ""
    table_sha256: str = ""
    hyperparameters: dict[str, Any] = field(factory=dict)
    library_versions: dict[str, str] = field(factory=dict)
    created: str = ""
    n_windows: int = 0
    n_groups: int = 0
    heldout_groups: tuple[str, ...] = field(default=(), converter=str_tuple)
    unknown_cost: float = 0.5
    thresholds: dict[str, float] = field(factory=dict)
    validation: dict[str, Any] = field(factory=dict)
    mood_profiles: dict[str, tuple[str, int, int]] = field(factory=dict, converter=_profiles)
    renders: dict[str, Any] = field(factory=dict)

    @property
    def production(self) -> str:
        """The renderer production of the training renders (``"gm"``, ``"genre"``); ``""`` when
        not recorded or mixed."""
        value = self.renders.get("production")
        return value if isinstance(value, str) else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "feature_names": list(self.feature_names),
            "feature_backend": self.feature_backend,
            "feature_options": dict(self.feature_options),
            "catalog_version": self.catalog_version,
            "table_sha256": self.table_sha256,
            "hyperparameters": dict(self.hyperparameters),
            "library_versions": dict(self.library_versions),
            "created": self.created,
            "n_windows": self.n_windows,
            "n_groups": self.n_groups,
            "heldout_groups": list(self.heldout_groups),
            "unknown_cost": self.unknown_cost,
            "thresholds": dict(self.thresholds),
            "validation": dict(self.validation),
            "mood_profiles": {mood: list(profile) for mood, profile in self.mood_profiles.items()},
            "renders": dict(self.renders),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModelInfo:
        names = {a.name for a in cls.__attrs_attrs__}
        try:
            return cls(**{key: value for key, value in data.items() if key in names})
        except TypeError as exc:
            raise ModelError(f"model metadata is incomplete: {exc}") from exc


def library_versions() -> dict[str, str]:
    """Versions of the libraries whose numerics a model depends on."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for dist in ("mirloop", "numpy", "scikit-learn", "scipy", "librosa"):
        try:
            found[dist] = version(dist)
        except PackageNotFoundError:
            found[dist] = ""
    return found


@define
class HierarchicalModel:
    """Local classifiers per :data:`~mirloop.classify.hierarchy.PARENT_PATH` node, combined by the chain rule.

    ``classes`` lists the classes of every target; ``descriptor_of`` maps a
    (genre, subgenre, mood) triple to its descriptor name; ``train_x`` is the shared
    training matrix the KNN nodes index into (``None`` for the MLP); ``adaptation`` maps
    real-music rows onto the renders' feature space (``mirloop adapt``), applied to input of
    domain ``real`` only.
    """

    info: ModelInfo
    classes: dict[str, tuple[str, ...]]
    descriptor_of: dict[tuple[str, str, str], str]
    nodes: dict[NodeKey, Estimator]
    projection: Projection | None = None
    train_x: np.ndarray | None = field(default=None, repr=False)
    adaptation: Adaptation | None = None

    @property
    def kind(self) -> str:
        return self.info.kind

    @property
    def pca_columns(self) -> list[int]:
        return [self.info.feature_names.index(n) for n in PCA_NAMES if n in self.info.feature_names]

    def convergence(self) -> dict[str, dict[str, Any]]:
        """For each MLP node: iterations run per network and whether all stopped before ``max_iter``."""
        return {
            node_name(key): {"n_iter": list(est.n_iter), "max_iter": est.max_iter, "converged": est.converged}
            for key, est in self.nodes.items()
            if isinstance(est, MlpEstimator)
        }

    def design_matrix(
        self, values: np.ndarray, pca_input: np.ndarray | None, *, domain: str = "render"
    ) -> np.ndarray:
        """Feature rows with the PCA columns re-projected by the model's fitted projection; rows
        of domain ``real`` are also moved onto the renders' space by the model's adaptation."""
        x = np.array(values, dtype=np.float32, copy=True)
        if self.projection is not None and self.pca_columns:
            if pca_input is None:
                raise ModelError(
                    "this model re-projects the PCA features but the features carry no pca_input; "
                    f"extract them with the {self.info.feature_backend or 'training'} feature backend"
                )
            x[:, self.pca_columns] = self.projection.apply(pca_input)
        if not np.all(np.isfinite(x)):
            raise ModelError("features contain NaN or infinite values; re-extract them")
        if domain not in DOMAINS:
            raise ModelError(f"unknown input domain {domain!r}; choose one of {', '.join(DOMAINS)}")
        if domain == "real" and self.adaptation is not None:
            x = self.adaptation.apply(x)
        return x

    @property
    def affect_weight(self) -> float | None:
        """Weight of the sentiment branch in the coherent decoding; ``None`` decodes the branches
        independently (models saved without a ``decoding`` hyperparameter)."""
        if self.info.hyperparameters.get("decoding", "independent") != "coherent":
            return None
        weight = self.info.hyperparameters.get("affect_weight")
        return DEFAULT_AFFECT_WEIGHT if weight is None else float(weight)

    def branches(self, x: np.ndarray) -> Branches:
        """Both branches of the hierarchy on a design matrix."""
        return branch_probabilities(self.nodes, x, self.classes, self.descriptor_of, self.info.mood_profiles)

    def decode(self, branches: Branches, affect_weight: float | None) -> dict[str, np.ndarray]:
        """Per-target distributions from :meth:`branches` (see :func:`~mirloop.classify.hierarchy.decode`)."""
        return decode(branches, self.classes, self.descriptor_of, self.info.mood_profiles, affect_weight)

    def predict_matrices(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Probabilities ``(n_windows, n_classes)`` per target for a design matrix."""
        return self.decode(self.branches(x), self.affect_weight)

    def predict(
        self,
        features: Features,
        *,
        domain: str = "real",
        genre_prior: np.ndarray | None = None,
        prior_weight: float = 1.0,
    ) -> Prediction:
        """Per-window probabilities for every target, with the model's open-set thresholds.

        ``domain`` says where the features come from: ``real`` music (the model's adaptation, if
        any, applies) or mirloop's own renders, ``render`` (it does not). ``genre_prior``
        (``(n_windows, n_genres)`` in ``classes["genre"]`` order), e.g. a real-music tagger's
        genres, is combined with the model's genre belief with ``prior_weight`` in [0, 1]
        (:func:`~mirloop.classify.hierarchy.with_genre_prior`).
        """
        self.check_features(features)
        x = self.design_matrix(features.values, features.pca_input, domain=domain)
        branches = self.branches(x)
        matrices = self.decode(branches, self.affect_weight)
        if genre_prior is not None:
            if not 0.0 <= prior_weight <= 1.0:
                raise ModelError(f"prior_weight must lie in [0, 1], got {prior_weight}")
            within = descriptor_given_genre(branches, self.classes, self.descriptor_of, self.affect_weight)
            matrices = with_genre_prior(
                matrices, self.classes, self.descriptor_of, self.info.mood_profiles,
                genre_prior, prior_weight, within=within,
            )
        return Prediction(
            {
                t: TargetPrediction(t, self.classes[t], matrices[t], self.info.thresholds.get(t, 0.0))
                for t in ALL_TARGETS
            },
            model=f"{self.kind}:{self.info.table_sha256[:12]}",
        )

    def check_features(self, features: Features) -> None:
        """Refuse features from another extractor or with other columns (:class:`ModelError`)."""
        if tuple(features.names) != self.info.feature_names:
            raise ModelError(
                f"the model was trained on features {list(self.info.feature_names)} but got "
                f"{list(features.names)}; re-extract with the {self.info.feature_backend!r} feature backend "
                "or retrain the model"
            )
        if features.backend and self.info.feature_backend and features.backend != self.info.feature_backend:
            raise ModelError(
                f"the model was trained on features from backend {self.info.feature_backend!r} but these "
                f"come from {features.backend!r}; use --use features={self.info.feature_backend} or retrain"
            )

    def check_setup(
        self,
        *,
        feature_backend: str | None = None,
        feature_options: Mapping[str, Any] | None = None,
        catalog_version: str | None = None,
    ) -> None:
        """Refuse a model made for another feature backend, other options or another catalog."""
        info = self.info
        if feature_backend is not None and info.feature_backend and feature_backend != info.feature_backend:
            raise ModelError(
                f"the model needs feature backend {info.feature_backend!r} but {feature_backend!r} is "
                "configured; "
                f"use --use features={info.feature_backend} or retrain on a table from {feature_backend!r}"
            )
        if feature_options is not None and info.feature_options:
            differing = sorted(
                k
                for k in set(info.feature_options) | set(feature_options)
                if info.feature_options.get(k) != feature_options.get(k)
            )
            if differing:
                raise ModelError(
                    f"feature options {differing} differ from the model's {info.feature_options}; "
                    "configure the same options or retrain"
                )
        if catalog_version is not None and info.catalog_version and catalog_version != info.catalog_version:
            raise ModelError(
                f"the model was trained on catalog version {info.catalog_version!r} but the installed "
                f"catalog is {catalog_version!r}; retrain on a dataset generated from the installed catalog"
            )
