"""Local classifiers (one node of the hierarchy) and their safe array state.

Every estimator is a scikit-learn ``StandardScaler`` followed by a KNN or an MLP, wrapped so
that it can be written as plain JSON plus numeric arrays and rebuilt without pickle:

* :class:`KnnEstimator` keeps the indices of its training rows into the model's shared
  training matrix and their class codes; loading re-fits the (deterministic) neighbour index.
* :class:`MlpEstimator` keeps the scaler statistics and every network's ``coefs_`` and
  ``intercepts_``; loading sets them on fresh ``MLPClassifier`` objects.
* :class:`ConstantEstimator` answers a parent with a single child class.

Probabilities are always ``(n_windows, n_classes)`` in the node's class order.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
from attrs import define, field, frozen

from mirloop.errors import ModelError

#: Iteration cap of every MLP. The paper needed 800 on its full table; on small tables the
#: hardest one-vs-rest networks (sentiment) need up to ~1000, so the cap leaves room.
MLP_MAX_ITER = 2000
#: With ``early_stopping="auto"``, networks trained on at least this many rows stop when a held-out
#: 10 % stops improving: on big tables each epoch is thousands of updates and the training loss
#: keeps creeping down long after the held-out score has settled.
EARLY_STOPPING_MIN_ROWS = 10_000


@frozen(eq=False)
class NetworkJob:
    """One network to train: scaled inputs ``z``, integer targets ``y`` and its settings."""

    z: np.ndarray
    y: np.ndarray
    hidden_layer_sizes: tuple[int, ...]
    max_iter: int
    seed: int
    early_stopping: bool

    @property
    def cost(self) -> int:
        """Relative training cost, for scheduling the biggest networks first."""
        return len(self.y) * (1 + int(self.y.max(initial=0)))


def stops_early(setting: bool | str, n_rows: int) -> bool:
    """Whether a network on ``n_rows`` rows uses early stopping under ``setting`` (bool or "auto")."""
    if setting == "auto":
        return n_rows >= EARLY_STOPPING_MIN_ROWS
    if not isinstance(setting, bool):
        raise ModelError(f"early_stopping must be true, false or 'auto', got {setting!r}")
    return setting and n_rows >= 20


def fit_network(job: NetworkJob) -> Any:
    """Train one ``MLPClassifier`` (not converging within ``max_iter`` is reported, not warned)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # reported through ``converged``
        net = MLPClassifier(
            hidden_layer_sizes=job.hidden_layer_sizes,
            max_iter=job.max_iter,
            random_state=job.seed,
            early_stopping=job.early_stopping,
        )
        return net.fit(job.z, job.y)


def fit_networks(jobs: list[NetworkJob], done: Callable[[], object] | None = None) -> list[Any]:
    """Train the networks one after the other in this process, calling ``done`` after each."""
    nets = []
    for job in jobs:
        nets.append(fit_network(job))
        if done is not None:
            done()
    return nets


class Estimator(Protocol):
    classes: tuple[str, ...]

    def predict_proba(self, x: np.ndarray) -> np.ndarray: ...

    def state(self, prefix: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]: ...


def _fit_scaler(x: np.ndarray) -> Any:
    from sklearn.preprocessing import StandardScaler

    return StandardScaler().fit(x)


def _scaler_arrays(scaler: Any, prefix: str) -> dict[str, np.ndarray]:
    return {
        f"{prefix}scaler_mean": np.asarray(scaler.mean_, dtype=np.float64),
        f"{prefix}scaler_scale": np.asarray(scaler.scale_, dtype=np.float64),
        f"{prefix}scaler_var": np.asarray(scaler.var_, dtype=np.float64),
    }


def _restore_scaler(arrays: dict[str, np.ndarray], prefix: str, n_samples: int) -> Any:
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler()
    scaler.mean_ = arrays[f"{prefix}scaler_mean"]
    scaler.scale_ = arrays[f"{prefix}scaler_scale"]
    scaler.var_ = arrays[f"{prefix}scaler_var"]
    scaler.n_features_in_ = int(scaler.mean_.shape[0])
    scaler.n_samples_seen_ = n_samples
    return scaler


@define
class ConstantEstimator:
    """A parent with one child class: that class with probability 1."""

    classes: tuple[str, ...]

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return np.ones((x.shape[0], 1), dtype=np.float64)

    def state(self, prefix: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        return {"kind": "constant", "classes": list(self.classes)}, {}


@define
class KnnEstimator:
    """Scaler + ``KNeighborsClassifier`` on rows ``rows`` of the shared training matrix.

    With uniform weights a KNN's one-vs-rest probabilities, normalised, equal its
    multi-class probabilities (the fraction of the ``k`` neighbours in each class), so
    the one-vs-rest top level of the hierarchy is served by a single multi-class KNN.
    """

    classes: tuple[str, ...]
    rows: np.ndarray
    codes: np.ndarray
    n_neighbors: int
    scaler: Any = field(default=None, repr=False)
    knn: Any = field(default=None, repr=False)

    @classmethod
    def fit(
        cls,
        x_all: np.ndarray,
        rows: np.ndarray,
        codes: np.ndarray,
        classes: tuple[str, ...],
        n_neighbors: int,
    ) -> KnnEstimator:
        est = cls(classes, np.asarray(rows, dtype=np.int64), np.asarray(codes, dtype=np.int64), n_neighbors)
        est._build(x_all, _fit_scaler(x_all[est.rows]))
        return est

    def _build(self, x_all: np.ndarray, scaler: Any) -> None:
        from sklearn.neighbors import KNeighborsClassifier

        self.scaler = scaler
        k = max(1, min(self.n_neighbors, len(self.rows)))
        self.knn = KNeighborsClassifier(n_neighbors=k).fit(scaler.transform(x_all[self.rows]), self.codes)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        proba = self.knn.predict_proba(self.scaler.transform(x))
        out = np.zeros((x.shape[0], len(self.classes)), dtype=np.float64)
        out[:, self.knn.classes_] = proba
        return out

    def state(self, prefix: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {"kind": "knn", "classes": list(self.classes), "n_neighbors": self.n_neighbors}
        arrays = {
            f"{prefix}rows": self.rows,
            f"{prefix}codes": self.codes,
            **_scaler_arrays(self.scaler, prefix),
        }
        return meta, arrays

    @classmethod
    def restore(
        cls, meta: dict[str, Any], arrays: dict[str, np.ndarray], prefix: str, x_all: np.ndarray
    ) -> KnnEstimator:
        rows, codes = arrays[f"{prefix}rows"], arrays[f"{prefix}codes"]
        if (
            rows.ndim != 1
            or rows.shape != codes.shape
            or (len(rows) and (rows.min() < 0 or rows.max() >= len(x_all)))
        ):
            raise ModelError(f"KNN node {prefix!r}: training rows do not index the stored training matrix")
        if len(codes) and (codes.min() < 0 or codes.max() >= len(meta["classes"])):
            raise ModelError(f"KNN node {prefix!r}: class codes out of range")
        est = cls(
            tuple(meta["classes"]), rows.astype(np.int64), codes.astype(np.int64), int(meta["n_neighbors"])
        )
        est._build(x_all, _restore_scaler(arrays, prefix, len(rows)))
        return est


@define
class MlpEstimator:
    """Scaler + one multi-class ``MLPClassifier``, or one binary network per class (one-vs-rest);
    or an ensemble of ``members`` such classifiers trained from consecutive seeds, whose
    probabilities are averaged.

    One-vs-rest probabilities are each network's P(class) normalised to sum to 1.
    ``n_iter`` records the iterations each network ran; ``converged`` is ``n_iter < max_iter``.
    ``nets`` holds the members' networks one member after the other; their number gives
    :attr:`members`.
    """

    classes: tuple[str, ...]
    one_vs_rest: bool
    hidden_layer_sizes: tuple[int, ...]
    max_iter: int
    n_iter: tuple[int, ...] = ()
    scaler: Any = field(default=None, repr=False)
    nets: list[Any] = field(factory=list, repr=False)

    @property
    def members(self) -> int:
        """Networks averaged: each member is one network, or one per class when one-vs-rest."""
        return max(1, len(self.nets) // (len(self.classes) if self.one_vs_rest else 1))

    @property
    def converged(self) -> bool:
        return all(n < self.max_iter for n in self.n_iter)

    @staticmethod
    def plan(
        x: np.ndarray,
        codes: np.ndarray,
        n_classes: int,
        *,
        one_vs_rest: bool,
        hidden_layer_sizes: tuple[int, ...],
        max_iter: int,
        seed: int,
        early_stopping: bool | str,
        members: int = 1,
    ) -> tuple[Any, list[NetworkJob]]:
        """The fitted scaler and one :class:`NetworkJob` per network to train (``members`` times,
        seeds ``seed``, ``seed + 1``, …: member 0 is the single classifier); ``early_stopping``
        holds out 10 % of a network's rows and stops when their score stops improving
        (scikit-learn's option; ``"auto"``: for networks on at least :data:`EARLY_STOPPING_MIN_ROWS`
        rows). Fit the jobs with :func:`fit_networks` or on a pool, then :meth:`assemble`."""
        if members < 1:
            raise ModelError(f"an MLP ensemble needs at least one member, got {members}")
        scaler = _fit_scaler(x)
        z = scaler.transform(x)
        targets = [(codes == c).astype(np.int64) for c in range(n_classes)] if one_vs_rest else [codes]
        layers = tuple(hidden_layer_sizes)
        return scaler, [
            NetworkJob(z, y, layers, max_iter, seed + m, stops_early(early_stopping, len(y)))
            for m in range(members)
            for y in targets
        ]

    @classmethod
    def assemble(
        cls,
        classes: tuple[str, ...],
        one_vs_rest: bool,
        hidden_layer_sizes: tuple[int, ...],
        max_iter: int,
        scaler: Any,
        nets: list[Any],
    ) -> MlpEstimator:
        return cls(
            classes,
            one_vs_rest,
            tuple(hidden_layer_sizes),
            max_iter,
            tuple(int(n.n_iter_) for n in nets),
            scaler,
            list(nets),
        )

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        probabilities = self.member_probabilities(x)
        return probabilities[0] if self.members == 1 else np.mean(probabilities, axis=0)

    def member_probabilities(self, x: np.ndarray) -> list[np.ndarray]:
        """Each member's ``(n_windows, n_classes)`` probabilities, in seed order."""
        z = self.scaler.transform(x)
        size = len(self.nets) // self.members
        return [self._member_proba(z, self.nets[m * size : (m + 1) * size]) for m in range(self.members)]

    def _member_proba(self, z: np.ndarray, nets: list[Any]) -> np.ndarray:
        if not self.one_vs_rest:
            return np.asarray(nets[0].predict_proba(z), dtype=np.float64)
        scores = np.column_stack([net.predict_proba(z)[:, 1] for net in nets]).astype(np.float64)
        total = scores.sum(axis=1, keepdims=True)
        uniform = np.full_like(scores, 1.0 / scores.shape[1])
        return np.where(total > 0, scores / np.where(total > 0, total, 1.0), uniform)

    def state(self, prefix: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        meta = {
            "kind": "mlp",
            "classes": list(self.classes),
            "one_vs_rest": self.one_vs_rest,
            "hidden_layer_sizes": list(self.hidden_layer_sizes),
            "max_iter": self.max_iter,
            "n_iter": list(self.n_iter),
            "converged": self.converged,
            "n_nets": len(self.nets),
            "n_layers": len(self.nets[0].coefs_),
            "members": self.members,
        }
        arrays = _scaler_arrays(self.scaler, prefix)
        for j, net in enumerate(self.nets):
            for i, (w, b) in enumerate(zip(net.coefs_, net.intercepts_)):
                arrays[f"{prefix}net{j}_coef{i}"] = np.asarray(w)
                arrays[f"{prefix}net{j}_intercept{i}"] = np.asarray(b)
        return meta, arrays

    @classmethod
    def restore(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray], prefix: str) -> MlpEstimator:
        from sklearn.neural_network import MLPClassifier
        from sklearn.preprocessing import LabelBinarizer

        classes = tuple(meta["classes"])
        n_outputs_expected = 2 if meta["one_vs_rest"] else len(classes)
        nets = []
        for j in range(int(meta["n_nets"])):
            coefs = [arrays[f"{prefix}net{j}_coef{i}"] for i in range(int(meta["n_layers"]))]
            intercepts = [arrays[f"{prefix}net{j}_intercept{i}"] for i in range(int(meta["n_layers"]))]
            for w, b in zip(coefs, intercepts):
                if w.ndim != 2 or b.shape != (w.shape[1],):
                    raise ModelError(f"MLP node {prefix!r}: inconsistent layer shapes {w.shape} / {b.shape}")
            net = MLPClassifier(
                hidden_layer_sizes=tuple(meta["hidden_layer_sizes"]), max_iter=int(meta["max_iter"])
            )
            net.coefs_, net.intercepts_ = coefs, intercepts
            net.n_layers_ = len(coefs) + 1
            net.n_outputs_ = int(coefs[-1].shape[1])
            net.out_activation_ = "logistic" if net.n_outputs_ == 1 else "softmax"
            net.classes_ = np.arange(n_outputs_expected)
            net._label_binarizer = LabelBinarizer().fit(net.classes_)
            net.n_features_in_ = int(coefs[0].shape[0])
            if max(net.n_outputs_, 2) != n_outputs_expected:
                raise ModelError(f"MLP node {prefix!r}: {net.n_outputs_} outputs for {len(classes)} classes")
            nets.append(net)
        scaler = _restore_scaler(arrays, prefix, 0)  # model_checks matched the networks to the members
        return cls(
            classes,
            bool(meta["one_vs_rest"]),
            tuple(meta["hidden_layer_sizes"]),
            int(meta["max_iter"]),
            tuple(int(n) for n in meta["n_iter"]),
            scaler,
            nets,
        )


def restore_estimator(
    meta: dict[str, Any], arrays: dict[str, np.ndarray], prefix: str, x_all: np.ndarray | None
) -> Estimator:
    """Rebuild an estimator from :meth:`state` output (raises :class:`ModelError` if malformed)."""
    kind = meta.get("kind")
    try:
        if kind == "constant":
            return ConstantEstimator(tuple(meta["classes"]))
        if kind == "knn":
            if x_all is None:
                raise ModelError("a KNN model needs its stored training matrix (arrays.npz key 'train_x')")
            return KnnEstimator.restore(meta, arrays, prefix, x_all)
        if kind == "mlp":
            return MlpEstimator.restore(meta, arrays, prefix)
    except KeyError as exc:
        raise ModelError(
            f"model node {prefix!r} lacks {exc}; the model files are incomplete or tampered"
        ) from exc
    raise ModelError(f"model node {prefix!r} has unknown estimator kind {kind!r}")
