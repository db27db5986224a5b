"""Scoring a model on labelled windows: accuracy, macro-F1, confusion, open-set cost, per genre.

Window-level scores treat every 10-s window as one answer (closed set: the top class);
``render_accuracy`` scores the mean probabilities of each render instead (the paper's
single-region render accuracy), also per descriptor (``per_descriptor``: which descriptors the
model cannot tell apart even on renders like its training ones). Open-set scores use the
model's thresholds: ``unknown_rate`` is the share of windows answered ``unknown``,
``answered_accuracy`` the accuracy on the rest, and ``cost`` the mean distance-weighted cost
(see :mod:`mirloop.classify.openset`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from attrs import field, frozen

from mirloop.classify.hierarchy import ALL_TARGETS, DESCRIPTOR_TARGET
from mirloop.classify.model import HierarchicalModel
from mirloop.classify.openset import answer_costs, mood_profiles_of
from mirloop.classify.windows import LabeledWindows
from mirloop.types.prediction import UNKNOWN

#: Confusion matrices with more classes than this are stored but not drawn.
MAX_DRAWN_CLASSES = 60
#: Folder of a model directory holding its evaluation.
EVALUATION_DIR = "evaluation"
#: File of a model's held-out render accuracy per descriptor, in its :data:`EVALUATION_DIR`.
DESCRIPTOR_SCORES = "descriptors.json"


@frozen(eq=False)
class TargetScores:
    """Scores of one target.

    ``confusion[i, j]`` counts windows of true ``labels[i]`` answered ``labels[j]``;
    ``per_descriptor`` is the render accuracy over the renders of each descriptor.
    """

    target: str
    n_windows: int
    accuracy: float
    macro_f1: float
    render_accuracy: float
    unknown_rate: float
    answered_accuracy: float
    cost: float
    labels: tuple[str, ...]
    confusion: np.ndarray
    per_genre: dict[str, float]
    per_descriptor: dict[str, float] = field(factory=dict)

    def to_dict(self, *, with_confusion: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "n_windows": self.n_windows,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "render_accuracy": self.render_accuracy,
            "unknown_rate": self.unknown_rate,
            "answered_accuracy": self.answered_accuracy,
            "cost": self.cost,
            "per_genre_accuracy": self.per_genre,
            "per_descriptor_render_accuracy": self.per_descriptor,
        }
        if with_confusion:
            data["confusion"] = {"labels": list(self.labels), "counts": self.confusion.tolist()}
        return data


@frozen(eq=False)
class Evaluation:
    """Scores per target of one model on one set of windows."""

    split: str
    n_windows: int
    n_groups: int
    targets: dict[str, TargetScores]
    renders_per_descriptor: dict[str, int] = field(factory=dict)

    def to_dict(self, *, with_confusion: bool = True) -> dict[str, Any]:
        return {
            "split": self.split,
            "n_windows": self.n_windows,
            "n_renders": self.n_groups,
            "targets": {t: s.to_dict(with_confusion=with_confusion) for t, s in self.targets.items()},
        }

    def descriptor_scores(self) -> dict[str, Any]:
        """The per-descriptor render accuracies as saved next to a model (:data:`DESCRIPTOR_SCORES`):
        ``split``, ``renders`` per descriptor and ``render_accuracy`` per target and descriptor."""
        return {
            "split": self.split,
            "renders": self.renders_per_descriptor,
            "render_accuracy": {
                t: {d: round(a, 4) for d, a in s.per_descriptor.items()} for t, s in self.targets.items()
            },
        }

    def save_descriptor_scores(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`descriptor_scores` as JSON (atomically); returns the path."""
        import json

        from mirloop.io.atomic import write_text

        return write_text(path, json.dumps(self.descriptor_scores(), indent=1))

    def save_confusion_figures(
        self, directory: str | os.PathLike[str], prefix: str = "confusion"
    ) -> list[Path]:
        """One PNG per target (row-normalised confusion matrix); returns the files written."""
        return [
            path
            for t, s in self.targets.items()
            if (path := draw_confusion(s, Path(directory) / f"{prefix}_{t}.png")) is not None
        ]


def evaluate(
    model: HierarchicalModel,
    windows: LabeledWindows,
    *,
    split: str = "",
    descriptor_distance: Callable[[str, str], float] | None = None,
) -> Evaluation:
    """Score ``model`` on ``windows`` for every target."""
    from sklearn.metrics import confusion_matrix, f1_score

    x = model.design_matrix(windows.values, windows.pca_input)
    matrices = model.predict_matrices(x)
    groups = windows.groups
    group_names, first_window, group_index = np.unique(groups, return_index=True, return_inverse=True)
    genres = windows.labels["genre"]
    profiles = {**model.info.mood_profiles, **mood_profiles_of(windows.labels)}
    render_descriptor = windows.labels[DESCRIPTOR_TARGET][first_window]
    descriptors, render_count = np.unique(render_descriptor, return_counts=True)
    scores: dict[str, TargetScores] = {}
    for target in ALL_TARGETS:
        classes = np.array(model.classes[target])
        probabilities = matrices[target]
        truth = windows.labels[target]
        top = probabilities.argmax(axis=1)
        closed = classes[top]
        threshold = model.info.thresholds.get(target, 0.0)
        answered = probabilities[np.arange(len(top)), top] >= threshold
        open_answers = np.where(answered, closed, UNKNOWN)
        correct = closed == truth

        sums = np.zeros((len(group_names), len(classes)))
        np.add.at(sums, group_index, probabilities)
        render_answer = classes[sums.argmax(axis=1)]
        render_truth = truth[first_window]
        render_correct = render_answer == render_truth

        labels = tuple(sorted(set(truth.tolist()) | set(closed.tolist()), key=_label_order))
        costs = answer_costs(
            truth,
            open_answers,
            target,
            descriptor_distance,
            model.info.unknown_cost,
            known=model.classes[target],
            mood_profiles=profiles,
        )
        scores[target] = TargetScores(
            target=target,
            n_windows=len(truth),
            accuracy=float(correct.mean()),
            macro_f1=float(f1_score(truth, closed, average="macro", zero_division=0)),
            render_accuracy=float(render_correct.mean()),
            unknown_rate=float(1.0 - answered.mean()),
            answered_accuracy=float(correct[answered].mean()) if answered.any() else float("nan"),
            cost=float(costs.mean()),
            labels=labels,
            confusion=confusion_matrix(truth, closed, labels=list(labels)),
            per_genre={g: float(correct[genres == g].mean()) for g in sorted(set(genres.tolist()))},
            per_descriptor={
                str(d): float(render_correct[render_descriptor == d].mean()) for d in descriptors
            },
        )
    renders = {str(d): int(n) for d, n in zip(descriptors, render_count)}
    return Evaluation(split, len(windows), len(group_names), scores, renders)


def read_descriptor_scores(model_dir: str | os.PathLike[str]) -> dict[str, dict[str, float]] | None:
    """Held-out render accuracy per target and descriptor saved with a model
    (``MODEL/evaluation/descriptors.json``); ``None`` when the model has none or it is unreadable."""
    import json

    path = Path(model_dir) / EVALUATION_DIR / DESCRIPTOR_SCORES
    try:
        table = json.loads(path.read_text())["render_accuracy"]
        return {str(t): {str(d): float(a) for d, a in by.items()} for t, by in table.items()}
    except (OSError, KeyError, TypeError, AttributeError, ValueError):
        return None


def _label_order(label: str) -> tuple[int, Any]:
    return (0, int(label)) if label.lstrip("-").isdigit() else (1, label)


def draw_confusion(scores: TargetScores, path: Path) -> Path | None:
    """Draw a row-normalised confusion matrix as a PNG (``None`` when it has too many classes)."""
    if len(scores.labels) > MAX_DRAWN_CLASSES and scores.target == DESCRIPTOR_TARGET:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from mirloop.io.atomic import atomic_path

    counts = scores.confusion.astype(float)
    rows = counts.sum(axis=1, keepdims=True)
    normalised = counts / np.where(rows > 0, rows, 1.0)
    size = max(4.0, 0.32 * len(scores.labels) + 2.0)
    fig, ax = plt.subplots(figsize=(size + 1.0, size))
    image = ax.imshow(normalised, cmap="Blues", vmin=0.0, vmax=1.0)
    ax.set_xticks(range(len(scores.labels)), scores.labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(scores.labels)), scores.labels, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"{scores.target}: accuracy {scores.accuracy:.3f}, macro-F1 {scores.macro_f1:.3f}")
    fig.colorbar(image, ax=ax, fraction=0.046, label="share of true windows")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as temporary:
        fig.savefig(temporary, dpi=110, format="png")
    plt.close(fig)
    return path
