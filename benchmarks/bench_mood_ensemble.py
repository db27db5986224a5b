"""Does averaging several networks help the mood? Held-out mood given the subgenre, one network per
seed against ensembles of them.

    .venv/bin/python benchmarks/bench_mood_ensemble.py DATASET [--members 5] [--test-size 0.3] [--json]

The renders are split as ``mirloop train`` splits them (grouped by render, stratified by
descriptor, ``--test-size`` held out, seed 0). For every subgenre, the mood node of the catalog
classifier (:class:`~mirloop.classify.estimators.MlpEstimator`, 100 hidden units, the training
defaults) is trained as an ensemble of ``--members`` networks from seeds 0, 1, …, and scored on
the held-out windows of that subgenre: each member alone (the spread a training seed makes), and
the average of the first k members for every k. The accuracy pools the windows of all subgenres.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402


def run(root: Path, members: int, test_size: float) -> dict[str, list[float]]:
    """``{"members": accuracy of each member alone, "ensembles": accuracy of the first k, k = 1…}``."""
    from mirloop.classify.estimators import MLP_MAX_ITER, MlpEstimator, fit_networks
    from mirloop.classify.feature_table import DatasetInfo, read_table
    from mirloop.classify.splits import grouped_split

    features = list(DatasetInfo.read(root).feature_names)
    table = read_table(root)
    split = grouped_split(table["descriptor"].to_numpy(), table["render_id"].to_numpy(), test_size, seed=0)
    train, test = table.iloc[split.train], table.iloc[split.test]
    alone, together = np.zeros(members), np.zeros(members)
    n = 0
    subgenres = sorted(set(zip(train["genre"], train["subgenre"])))
    for done, (genre, subgenre) in enumerate(subgenres, 1):
        rows = train[(train["genre"] == genre) & (train["subgenre"] == subgenre)]
        held = test[(test["genre"] == genre) & (test["subgenre"] == subgenre)]
        classes = tuple(sorted(set(rows["mood"])))
        if len(classes) < 2 or held.empty:
            continue
        codes = np.searchsorted(classes, rows["mood"].to_numpy())
        scaler, jobs = MlpEstimator.plan(
            rows[features].to_numpy(), codes, len(classes), one_vs_rest=False, hidden_layer_sizes=(100,),
            max_iter=MLP_MAX_ITER, seed=0, early_stopping="auto", members=members,
        )
        nets = fit_networks(jobs)
        node = MlpEstimator.assemble(classes, False, (100,), MLP_MAX_ITER, scaler, nets)
        truth = held["mood"].to_numpy()
        probabilities = node.member_probabilities(held[features].to_numpy())
        for k, member in enumerate(probabilities):
            alone[k] += (np.asarray(classes)[member.argmax(axis=1)] == truth).sum()
            average = np.mean(probabilities[: k + 1], axis=0)
            together[k] += (np.asarray(classes)[average.argmax(axis=1)] == truth).sum()
        n += len(held)
        print(f"{done}/{len(subgenres)} {genre}_{subgenre}", file=sys.stderr, flush=True)
    return {"members": (alone / n).tolist(), "ensembles": (together / n).tolist(), "windows": [n]}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path, help="a generated dataset folder")
    parser.add_argument("--members", type=int, default=5)
    parser.add_argument("--test-size", type=float, default=0.3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (args.dataset / "features.parquet").is_file():
        parser.error(f"{args.dataset} holds no features.parquet: generate (or finish) the dataset first")
    if args.members < 1:
        parser.error("--members must be at least 1")
    result = run(args.dataset, args.members, args.test_size)
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    alone = np.asarray(result["members"])
    print(f"held-out mood given the subgenre, {result['windows'][0]} windows of {args.dataset.name}")
    print("one network, seeds 0…: " + " ".join(f"{a:.4f}" for a in alone)
          + f" (mean {alone.mean():.4f}, range {alone.max() - alone.min():.4f})")
    for k, accuracy in enumerate(result["ensembles"], 1):
        print(f"ensemble of {k}: {accuracy:.4f} ({accuracy - alone.mean():+.4f} over one network's mean)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
