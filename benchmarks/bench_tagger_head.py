"""Ways to read the musicnn tagger that were tried beside the render gate, by grouped cross-validation.

On the cached features of ``bench_real_music.py`` (``--cache``), every labelled track of a
manifest is classified by the gated ``fused`` classifier (the render detector's verdict sets
the weight: ``--weight`` for render-like tracks, the tagger alone for recordings) with the
tagger's genre distribution read in one of these ways:

    lift^a          the table's lift rule with the prior raised to ``a`` (1: the shipped rule,
                    0: the plain mean of a genre's tag probabilities), ``a`` chosen by CV
    bias(lam)       the shipped rule plus a learnt per-genre log-bias (L2 penalty ``lam`` towards
                    0, i.e. towards the table), fitted on the labels of the fitting half
    mtt, msd, mean  the shipped rule on one model's tags only (a genre it has no tag for gets
                    nothing), or the mean of the two models' genre distributions (``--per-model``)
    middle          the shipped rule on the track's middle minute only (its middle six windows,
                    where the tag prior was measured), no parameter (``--middle``)
    renders(C)      a head learnt from renders instead of the table: a logistic regression
                    (inverse regularisation ``C``) from the log tag probabilities of the windows
                    of a dataset of renders to their catalog genre (``--render-head DATA``, e.g.
                    the ``musicnn`` features of ``production=genre`` renders); no dev label read

Each is scored by the same group halvings as ``--choose-weight`` (``--splits``): a parameter or
a bias is fitted on the tracks of half of the groups (package or collection) and scored on the
other half — all tracks, the recordings, the ``named`` labels. The fusion is computed here on
the genre marginal, ``P(g) ∝ M(g)^(1-w) · T(g)^w`` per window, the track's genre the mean's
arg-maximum, as ``with_genre_prior`` does.

    .venv/bin/python benchmarks/bench_tagger_head.py MANIFEST --cache DIR [--splits 40] [--weight 0.93]
        [--per-model] [--middle] [--render-head DATA]
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from bench_real_music import load_features, system  # noqa: E402

ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0)
LAMBDAS = (1.0, 3.0, 10.0)
FLOOR = 1e-6
#: Windows of the middle minute (10-s windows).
MIDDLE = 6
#: Inverse regularisation strengths of the head learnt from renders.
CS = (0.01, 0.1, 1.0)


def main(argv: Sequence[str] | None = None) -> int:
    from mirloop_musicnn.genre_table import load_genre_table
    from mirloop_musicnn.render_detector import COLUMNS, load_render_detector, tag_matrix
    from scipy.optimize import minimize

    from mirloop.catalog import load_catalog
    from mirloop.evaluation.coarse_genres import load_coarse_genres
    from mirloop.evaluation.real_manifest import read_manifest

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest")
    parser.add_argument("--cache", required=True)
    parser.add_argument("--splits", type=int, default=40)
    parser.add_argument("--weight", type=float, default=0.93)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-model", action="store_true", help="also read each model's tags alone, "
                        "and the mean of their genre distributions")
    parser.add_argument("--middle", action="store_true", help="also read the tags of the middle minute only")
    parser.add_argument("--render-head", default=None, metavar="DATA",
                        help="also learn a tag → genre head from this dataset of renders (musicnn features)")
    args = parser.parse_args(argv)

    coarse = load_coarse_genres()
    tracks = [t for t in read_manifest(args.manifest, coarse=coarse).select()
              if (Path(args.cache) / f"{t.track_id}.npz").exists()]
    features = [load_features(str(Path(args.cache) / f"{t.track_id}.npz")) for t in tracks]
    table = load_genre_table(genres=load_catalog().genres())
    genres = table.genres
    detector = load_render_detector()
    tags = [tag_matrix(f.values, f.names, what=t.track_id) for t, f in zip(tracks, features, strict=True)]
    render_like = np.array([detector.is_render(x) for x in tags])
    model = system("mlp")
    beliefs = []
    for f in features:
        target = model(f)["genre"]
        beliefs.append(np.stack([target.probabilities[:, target.classes.index(g)] for g in genres], 1))
    # the table's tags (as COLUMNS order), which genres list them, and their prior
    member = np.zeros((len(COLUMNS), len(genres)))
    prior = np.ones(len(COLUMNS))
    for row, column in enumerate(table.columns):
        index = COLUMNS.index(column)
        member[index] = table.weights[row] > 0
        prior[index] = table.prior.of(*_group_tag(column)) if table.prior else 1.0
    accepted = np.array([[coarse.agrees(t.coarse_label, g) for g in genres] for t in tracks], dtype=float)

    def tagger(alpha: float, middle: bool = False, group: str = "") -> np.ndarray:
        listed = member * np.array([c.startswith(f"musicnn_{group}") for c in COLUMNS])[:, None]
        weights = listed * prior[:, None] ** -alpha / np.maximum(listed.sum(0), 1)
        out = []
        for x in tags:
            if middle and len(x) > MIDDLE:
                start = (len(x) - MIDDLE) // 2
                x = x[start : start + MIDDLE]
            scores = x @ weights
            out.append((scores / scores.sum(1, keepdims=True)).mean(0))
        return np.array(out)

    def agreed(track_genre: np.ndarray) -> np.ndarray:
        rows = []
        for i, belief in enumerate(beliefs):
            w = args.weight if render_like[i] else 1.0
            fused = (belief + FLOOR) ** (1 - w) * (track_genre[i] / track_genre[i].sum() + FLOOR) ** w
            rows.append((fused / fused.sum(1, keepdims=True)).mean(0).argmax())
        return accepted[np.arange(len(tracks)), rows] > 0

    shipped = tagger(1.0)

    def biased(bias: np.ndarray) -> np.ndarray:
        return shipped * np.exp(bias)

    def fit_bias(index: np.ndarray, lam: float) -> np.ndarray:
        log_t = np.log(shipped[index] + 1e-9)

        def loss(b: np.ndarray) -> float:
            z = log_t + b
            p = np.exp(z - z.max(1, keepdims=True))
            p /= p.sum(1, keepdims=True)
            return float(-np.log((p * accepted[index]).sum(1) + 1e-12).sum() + lam * (b @ b))

        return np.asarray(minimize(loss, np.zeros(len(genres)), method="L-BFGS-B").x)

    subsets = {
        "all": np.ones(len(tracks), dtype=bool),
        "recordings": np.array([t.kind == "recording" for t in tracks]),
        "named": np.array([(t.label_basis or "named") == "named" for t in tracks]),
    }
    groups = np.array(sorted({t.group for t in tracks}))
    group_of = np.array([t.group for t in tracks])

    def cross_validate(fit: Callable[[np.ndarray], tuple[str, np.ndarray]]) -> str:
        rng = np.random.default_rng(args.seed)
        scores: dict[str, list[float]] = {name: [] for name in subsets}
        chosen: list[str] = []
        for _ in range(args.splits):
            half = set(rng.permutation(groups)[: len(groups) // 2])
            first = np.array([g in half for g in group_of])
            for fitting, test in ((first, ~first), (~first, first)):
                name, ok = fit(np.flatnonzero(fitting))
                chosen.append(name)
                for subset, mask in subsets.items():
                    if (test & mask).any():
                        scores[subset].append(float(ok[test & mask].mean()))
        means = ", ".join(f"{name} {np.mean(values):.3f}" for name, values in scores.items())
        common = ", ".join(f"{k} ×{n}" for k, n in Counter(chosen).most_common(3))
        return f"{means} (chosen: {common})"

    def in_sample(ok: np.ndarray) -> str:
        return ", ".join(f"{name} {ok[mask].mean():.3f}" for name, mask in subsets.items())

    print(f"{len(tracks)} tracks, {int(render_like.sum())} render-like; render weight {args.weight}")
    probability = np.array([detector.probability(x) for x in tags])
    kinds = np.array([t.kind for t in tracks])
    for kind in sorted(set(kinds)):
        of_kind = kinds == kind
        print(f"  {kind}: {int(render_like[of_kind].sum())} of {int(of_kind.sum())} render-like")
    renders, recordings = probability[kinds == "score-render"], probability[kinds == "recording"]
    if renders.size and recordings.size:  # the kind column checks the detector; the fit never reads it
        above = renders[:, None] - recordings[None, :]
        auc = float(np.mean(above > 0) + 0.5 * np.mean(above == 0))
        print(f"  P(render), score renders against recordings: area under the ROC curve {auc:.3f}")
    by_alpha = {alpha: agreed(tagger(alpha)) for alpha in ALPHAS}
    recording = subsets["recordings"]
    labels = np.array([t.coarse_label for t in tracks])
    for alpha, ok in by_alpha.items():
        per_label = ", ".join(f"{label} {int(ok[recording & (labels == label)].sum())}/"
                              f"{int((recording & (labels == label)).sum())}"
                              for label in dict.fromkeys(labels[recording]))
        print(f"lift^{alpha:<5} in-sample: {in_sample(ok)}; recordings per label: {per_label}")
    print("lift^a, a chosen on the fitting half — grouped CV: "
          + cross_validate(lambda fit: max(((f"a={a}", ok) for a, ok in by_alpha.items()),
                                           key=lambda pair: pair[1][fit].mean())))
    fixed = cross_validate(lambda fit: ("a=1", by_alpha[1.0]))
    print(f"shipped lift rule (no choice)          — grouped CV: {fixed}")
    if args.per_model:
        mtt, msd = tagger(1.0, group="mtt_"), tagger(1.0, group="msd_")
        for name, reading in (("mtt", mtt), ("msd", msd), ("mean", (mtt + msd) / 2)):
            ok = agreed(reading)
            print(f"{name} in-sample: {in_sample(ok)}; grouped CV: {cross_validate(_fixed(name, ok))}")
    if args.middle:
        middle = agreed(tagger(1.0, middle=True))
        print(f"middle minute in-sample: {in_sample(middle)}; grouped CV: "
              f"{cross_validate(_fixed('middle', middle))}")
    if args.render_head:
        for c, head in render_heads(args.render_head, genres).items():
            ok = agreed(np.array([head(x) for x in tags]))
            print(f"renders(C={c:g}) in-sample: {in_sample(ok)}; grouped CV: "
                  f"{cross_validate(_fixed(f'C={c:g}', ok))}")
    everything = np.arange(len(tracks))
    for lam in LAMBDAS:
        bias = fit_bias(everything, lam)
        print(f"bias(lam={lam:g}) in-sample: {in_sample(agreed(biased(bias)))}; bias "
              + ", ".join(f"{g} {b:+.2f}" for g, b in zip(genres, bias, strict=True)))
        print(f"bias(lam={lam:g}), fitted on the fitting half — grouped CV: "
              + cross_validate(lambda fit, lam=lam: (f"lam={lam:g}", agreed(biased(fit_bias(fit, lam))))))
    return 0


def _fixed(name: str, ok: np.ndarray) -> Callable[[np.ndarray], tuple[str, np.ndarray]]:
    """A reading with nothing to fit: the same agreements whatever the fitting half."""
    return lambda fitting: (name, ok)


def render_heads(data: str, genres: tuple[str, ...]) -> dict[float, Callable[[np.ndarray], np.ndarray]]:
    """Per ``C`` of :data:`CS`, a track's genre distribution (in ``genres`` order) from its tag matrix
    (:data:`~mirloop_musicnn.render_detector.COLUMNS`), learnt from the windows of the renders of
    ``data`` (a dataset with ``musicnn`` features) and their catalog genres."""
    import pandas as pd
    from mirloop_musicnn.render_detector import COLUMNS
    from sklearn.linear_model import LogisticRegression

    table = pd.read_parquet(Path(data) / "features.parquet", columns=[*COLUMNS, "genre"])
    x = np.log(np.clip(table[list(COLUMNS)].to_numpy(), 1e-4, 1.0))
    mean, scale = x.mean(0), x.std(0) + 1e-6
    heads: dict[float, Callable[[np.ndarray], np.ndarray]] = {}
    for c in CS:
        fitted = LogisticRegression(C=c, max_iter=3000).fit((x - mean) / scale, table["genre"].to_numpy())
        order = [list(fitted.classes_).index(g) for g in genres]

        heads[c] = functools.partial(_head_distribution, fitted=fitted, order=order, mean=mean, scale=scale)
    return heads


def _head_distribution(
    tags: np.ndarray, *, fitted: Any, order: list[int], mean: np.ndarray, scale: np.ndarray
) -> np.ndarray:
    """A fitted head's mean genre distribution over a track's windows, in the table's genre order."""
    z = (np.log(np.clip(tags, 1e-4, 1.0)) - mean) / scale
    return np.asarray(fitted.predict_proba(z)[:, order].mean(0))


def _group_tag(column: str) -> tuple[str, str]:
    from mirloop_musicnn.tags import MSD_TAGS, MTT_TAGS, PREFIXES, slug

    for group, vocabulary in (("mtt", MTT_TAGS), ("msd", MSD_TAGS)):
        for tag in vocabulary:
            if PREFIXES[group] + slug(tag) == column:
                return group, tag
    raise KeyError(column)


if __name__ == "__main__":
    sys.exit(main())
