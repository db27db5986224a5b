"""Accuracy, consistency, boundary fidelity and prediction spread, with bootstrap intervals.

Consistency alone rewards a classifier that always gives the same answer, so every table of
agreement comes with the spread of the predicted descriptors (:func:`spread`), and a run where
one descriptor dominates is flagged.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from mirloop.types.descriptor import TARGETS
from mirloop.types.prediction import UNKNOWN

if TYPE_CHECKING:
    import pandas as pd

#: Share of the most common descriptor above which a set of predictions is flagged as dominated.
DOMINANCE_SHARE = 0.5
#: Fewest predictions for the dominance flag to mean anything.
DOMINANCE_MIN_COUNT = 4
#: Tolerance of a boundary hit, in seconds (mir_eval's ``window``).
BOUNDARY_WINDOW = 3.0
#: Confusions listed per target in the accuracy and loss tables.
TOP_CONFUSIONS = 3
#: Held-out render accuracy below which the classifier counts as weak on a descriptor's label.
WEAK_DESCRIPTOR = 0.8


def bootstrap_ci(
    values: Sequence[float], *, level: float = 0.95, n_boot: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values`` (NaN, NaN for no values)."""
    data = np.asarray([v for v in values if np.isfinite(v)], dtype=np.float64)
    if len(data) == 0:
        return math.nan, math.nan
    if len(data) == 1:
        return float(data[0]), float(data[0])
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, len(data), (n_boot, len(data)))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    return float(np.percentile(means, tail)), float(np.percentile(means, 100 - tail))


def top_confusions(truth: Iterable[Any], answers: Iterable[Any]) -> str:
    """The :data:`TOP_CONFUSIONS` commonest ``truth → answer`` pairs, as ``"a → b ×n; …"``."""
    pairs = Counter(f"{a} → {b}" for a, b in zip(truth, answers))
    return "; ".join(f"{pair} ×{n}" for pair, n in pairs.most_common(TOP_CONFUSIONS))


def accuracy_table(single: pd.DataFrame) -> pd.DataFrame:
    """Per target: renders scored, accuracy, 95 % bootstrap interval, share answered ``unknown``,
    the commonest ``expected → predicted`` confusions (where the single-region accuracy is lost)
    and, when ``single`` has a ``heldout`` column, its mean: the accuracy the classifier has on
    held-out training renders of the same descriptors (what the loop's renders would score if
    they were heard like those).

    ``single`` has one row per render and target: ``target``, ``expected``, ``predicted``
    (and optionally ``heldout``).
    """
    import pandas as pd

    rows = []
    for target in TARGETS:
        part = single[single["target"] == target] if len(single) else single
        correct = (part["expected"] == part["predicted"]).to_numpy(dtype=float) if len(part) else np.zeros(0)
        low, high = bootstrap_ci(list(correct))
        wrong = part[part["expected"] != part["predicted"]] if len(part) else part
        rows.append(
            {
                "target": target,
                "n": len(part),
                "accuracy": float(correct.mean()) if len(part) else math.nan,
                "ci_low": low,
                "ci_high": high,
                "unknown_rate": float((part["predicted"] == UNKNOWN).mean()) if len(part) else math.nan,
                "confusions": top_confusions(wrong["expected"], wrong["predicted"]),
                "heldout": _mean(part, "heldout"),
            }
        )
    return pd.DataFrame(rows)


def _mean(part: pd.DataFrame, column: str) -> float:
    """Mean of ``column`` over its known values (NaN when the column is absent or all unknown)."""
    if column not in part.columns or not len(part):
        return math.nan
    values = part[column].to_numpy(dtype=float)
    return float(np.nanmean(values)) if np.isfinite(values).any() else math.nan


def title_consistency(agreement: pd.DataFrame) -> pd.DataFrame:
    """Per title (rows) and target (columns): the share of segments whose render majority agrees
    with the input. ``agreement`` has ``track``, ``segment``, ``target``, ``agree`` (0/1)."""
    import pandas as pd

    if len(agreement) == 0:
        return pd.DataFrame(columns=["track", *TARGETS])
    table = agreement.pivot_table(index="track", columns="target", values="agree", aggfunc="mean")
    return table.reindex(columns=[t for t in TARGETS if t in table.columns]).reset_index()


def consistency_table(per_title: pd.DataFrame, agreement: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per target: titles, mean consistency over titles, 95 % bootstrap interval over titles,
    lowest and highest title, and (given ``agreement``) the share of segments whose input label
    is ``unknown`` (never counted as agreement)."""
    import pandas as pd

    rows = []
    for target in TARGETS:
        unknown = math.nan
        if agreement is not None and len(agreement):
            part = agreement[agreement["target"] == target]
            unknown = float((part["input"] == UNKNOWN).mean()) if len(part) else math.nan
        values = (
            per_title[target].dropna().to_numpy(dtype=float) if target in per_title.columns else np.zeros(0)
        )
        low, high = bootstrap_ci(list(values))
        rows.append(
            {
                "target": target,
                "titles": len(values),
                "consistency": float(values.mean()) if len(values) else math.nan,
                "ci_low": low,
                "ci_high": high,
                "min": float(values.min()) if len(values) else math.nan,
                "max": float(values.max()) if len(values) else math.nan,
                "input_unknown": unknown,
            }
        )
    return pd.DataFrame(rows)


def loss_table(agreement: pd.DataFrame) -> pd.DataFrame:
    """Where multi-region consistency is lost, per target, over all segments.

    A segment agrees when the renders' majority equals the input's label. On the way, the label
    can be lost at two stages: *reduce* — the descriptor rendered for the segment (the nearest
    valid one) does not carry the input's label (``kept`` is the share where it does); *render* —
    the classifier does not hear the rendered label in the renders (``recognised`` is the share
    where the renders' majority equals the rendered label). ``lost_in_reduce`` and
    ``lost_in_render`` split the disagreements between the two (input ``unknown`` counts apart),
    and ``confusions`` lists the most frequent ``input → renders`` pairs among the disagreements.

    With a ``heldout`` column (the classifier's held-out render accuracy on the rendered
    descriptor's label): ``heldout`` is its mean, what ``recognised`` would be if the renders were
    heard like training renders, and ``lost_where_weak`` the share of segments lost in render
    whose descriptor the classifier gets right on fewer than :data:`WEAK_DESCRIPTOR` of its
    held-out renders (the loss is the model's, not the loop's).
    """
    import pandas as pd

    columns = [
        "target",
        "segments",
        "consistency",
        "kept",
        "recognised",
        "input_unknown",
        "lost_in_reduce",
        "lost_in_render",
        "heldout",
        "lost_where_weak",
        "confusions",
    ]
    if len(agreement) == 0 or "rendered" not in agreement.columns:
        return pd.DataFrame(columns=columns)
    rows = []
    for target in TARGETS:
        part = agreement[agreement["target"] == target]
        if not len(part):
            continue
        unknown = part["input"] == UNKNOWN
        kept = part["rendered"] == part["input"]
        recognised = part["renders"] == part["rendered"]
        disagree = part["agree"] < 0.5
        weak = (
            part["heldout"].to_numpy(dtype=float) < WEAK_DESCRIPTOR
            if "heldout" in part.columns
            else np.zeros(len(part), dtype=bool)
        )
        lost_in_render = disagree & ~unknown & kept
        rows.append(
            {
                "target": target,
                "segments": len(part),
                "consistency": float(part["agree"].mean()),
                "kept": float(kept[~unknown].mean()) if (~unknown).any() else math.nan,
                "recognised": float(recognised.mean()),
                "input_unknown": float(unknown.mean()),
                "lost_in_reduce": float((disagree & ~unknown & ~kept).mean()),
                "lost_in_render": float(lost_in_render.mean()),
                "heldout": _mean(part, "heldout"),
                "lost_where_weak": (
                    float((lost_in_render & weak).mean()) if "heldout" in part.columns else math.nan
                ),
                "confusions": top_confusions(
                    part.loc[disagree & ~unknown, "input"], part.loc[disagree & ~unknown, "renders"]
                ),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def boundary_fidelity(
    reference: np.ndarray, estimate: np.ndarray, *, window: float = BOUNDARY_WINDOW
) -> dict[str, float]:
    """Hit-rate precision, recall and F of the estimate's inner boundaries (mir_eval, ``trim``).

    ``reference`` and ``estimate`` are ``(n, 2)`` segment intervals in seconds. With no inner
    boundary on either side the answer is 1 (nothing to find, nothing invented); with none on
    one side only, 0.
    """
    ref_inner, est_inner = len(reference) - 1, len(estimate) - 1
    if ref_inner == 0 or est_inner == 0:
        score = 1.0 if ref_inner == est_inner else 0.0
        return {"precision": score, "recall": score, "f": score}
    import mir_eval

    precision, recall, f = mir_eval.segment.detection(reference, estimate, window=window, trim=True)
    return {"precision": float(precision), "recall": float(recall), "f": float(f)}


def spread(labels: Sequence[str]) -> dict[str, Any]:
    """How varied a set of predicted descriptors is.

    ``count``, ``distinct``, ``entropy`` (bits), ``normalized_entropy`` (entropy over log2 of
    ``distinct``; 1 = all equally frequent, 0 = one value), ``top`` and ``top_share`` (the most
    common value and its share), and ``dominated`` (``top_share`` above :data:`DOMINANCE_SHARE`
    with at least :data:`DOMINANCE_MIN_COUNT` predictions).
    """
    counts = Counter(labels)
    total = sum(counts.values())
    if total == 0:
        return {
            "count": 0,
            "distinct": 0,
            "entropy": math.nan,
            "normalized_entropy": math.nan,
            "top": None,
            "top_share": math.nan,
            "dominated": False,
        }
    shares = np.array([c / total for c in counts.values()])
    entropy = float(-(shares * np.log2(shares)).sum())
    top, top_count = counts.most_common(1)[0]
    top_share = top_count / total
    return {
        "count": total,
        "distinct": len(counts),
        "entropy": entropy,
        "normalized_entropy": entropy / math.log2(len(counts)) if len(counts) > 1 else 0.0,
        "top": top,
        "top_share": top_share,
        "dominated": bool(top_share > DOMINANCE_SHARE and total >= DOMINANCE_MIN_COUNT),
    }
