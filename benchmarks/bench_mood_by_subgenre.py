"""How well do a dataset's renders carry their moods? Mood accuracy within each subgenre.

    .venv/bin/python benchmarks/bench_mood_by_subgenre.py DATASET [DATASET…] [--only GLOB…]
        [--folds 3] [--repeats 2] [--groups] [--json]

For every subgenre (``genre_subgenre``, filtered by ``--only``), a small MLP (one hidden layer of
64, standardised inputs) learns the mood from the 21 window features of that subgenre's renders
alone and is scored on held-out renders (``--folds``-fold cross-validation grouped by render,
stratified by mood, ``--repeats`` shuffles): the mood-given-subgenre question the catalog
classifier answers, asked of each production separately and in a minute. Datasets made from the
same plan (``mirloop dataset generate`` with the same ``--seed`` and ``--per-descriptor``, another
production or renderer) are compared column by column, so a change to how a genre is produced can
be checked for what it costs the moods before a paper-scale build.

``--groups`` also fits each subgenre's moods on each :data:`GROUPS` of features alone (harmony,
level, timbre, rhythm): where a production loses a subgenre's moods, the group that falls names
what it masked (rows ``SUBGENRE [group]``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Sequence
from fnmatch import fnmatch
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

#: Feature groups of ``--groups``: the 21 window features by what they describe.
GROUPS: dict[str, tuple[str, ...]] = {
    "harmony": ("harmonic_change", "chroma_strength", "key_clarity", "mode", "chord_quality", "thirds"),
    "level": ("rms_mean", "rms_std"),
    "timbre": ("mfcc_1", "mfcc_2", "mfcc_3", "pca_1", "pca_2", "pca_3", "spectral_centroid",
               "spectral_flatness", "spectral_contrast"),
    "rhythm": ("tempo", "onset_rate", "spectral_flux", "pulse_clarity"),
}


def subgenre_accuracy(table: pd.DataFrame, features: Sequence[str], *, folds: int, repeats: int) -> float:
    """Mean held-out window accuracy of the mood within one subgenre's windows."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import StratifiedGroupKFold
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x, y, groups = table[list(features)].to_numpy(), table["mood"].to_numpy(), table["render_id"].to_numpy()
    accuracies = []
    for repeat in range(repeats):
        split = StratifiedGroupKFold(folds, shuffle=True, random_state=repeat)
        for train, test in split.split(x, y, groups):
            model = make_pipeline(StandardScaler(), MLPClassifier((64,), max_iter=600, random_state=repeat))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model.fit(x[train], y[train])
            accuracies.append(model.score(x[test], y[test]))
    return float(np.mean(accuracies))


def scores(
    table: pd.DataFrame, features: Sequence[str], *, folds: int, repeats: int, groups: bool = False
) -> dict[str, float]:
    """``{"": accuracy on every feature}``, and with ``groups`` ``{" [group]": accuracy}`` for each
    :data:`GROUPS` entry whose features ``features`` holds."""
    result = {"": subgenre_accuracy(table, features, folds=folds, repeats=repeats)}
    for group, columns in GROUPS.items() if groups else ():
        if set(columns) <= set(features):
            result[f" [{group}]"] = subgenre_accuracy(table, columns, folds=folds, repeats=repeats)
    return result


def run(
    datasets: Sequence[Path], only: Sequence[str], folds: int, repeats: int, *, groups: bool = False
) -> dict[str, dict[str, float]]:
    """``{subgenre: {dataset name: accuracy}}`` (with ``groups``, also ``{"SUBGENRE [group]": …}``
    for every :data:`GROUPS` entry whose features the dataset holds)."""
    from mirloop.classify.feature_table import DatasetInfo, read_table

    result: dict[str, dict[str, float]] = {}
    for root in datasets:
        features = DatasetInfo.read(root).feature_names
        table = read_table(root)
        table["subgenre_name"] = table["genre"] + "_" + table["subgenre"]
        for name, rows in table.groupby("subgenre_name"):
            if only and not any(fnmatch(str(name), pattern) for pattern in only):
                continue
            if rows["mood"].nunique() < 2 or rows["render_id"].nunique() < folds * rows["mood"].nunique():
                continue
            for label, score in scores(rows, features, folds=folds, repeats=repeats, groups=groups).items():
                result.setdefault(f"{name}{label}", {})[root.name] = score
            print(f"{root.name}: {name} {result[str(name)][root.name]:.3f}", file=sys.stderr, flush=True)
    return result


def table(result: dict[str, dict[str, float]], names: Sequence[str]) -> str:
    lines = ["| subgenre | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for subgenre in sorted(result):
        cells = [f"{result[subgenre][n]:.3f}" if n in result[subgenre] else "" for n in names]
        lines.append(f"| {subgenre} | " + " | ".join(cells) + " |")
    whole = [row for subgenre, row in result.items() if not subgenre.endswith("]")]
    means = [np.mean([row[n] for row in whole if n in row]) for n in names]
    lines.append("| **mean** | " + " | ".join(f"**{m:.3f}**" for m in means) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="+", type=Path, help="generated dataset folders")
    parser.add_argument("--only", action="append", default=[], metavar="GLOB",
                        help="subgenres to score, e.g. 'rock_*' (repeatable; default: all)")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--groups", action="store_true",
                        help="also score each feature group alone (harmony, level, timbre, rhythm)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    for root in args.datasets:
        if not (root / "features.parquet").is_file():
            parser.error(f"{root} holds no features.parquet: generate (or finish) the dataset first")
    result = run(args.datasets, args.only, args.folds, args.repeats, groups=args.groups)
    if not result:
        parser.error("no subgenre matched --only (or none has renders enough for the folds)")
    names = [root.name for root in args.datasets]
    print(json.dumps(result, indent=1) if args.json else table(result, names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
