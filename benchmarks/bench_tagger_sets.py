"""Which of musicnn's four taggers should the real-music tagger read? Every set, scored and chosen honestly.

    .venv/bin/python benchmarks/bench_tagger_sets.py MANIFEST --cache CACHE [--splits 40] [--seed 0]

Reads the features cached by ``bench_real_music.py`` (which holds the tags of ``MTT_musicnn``,
``MSD_musicnn``, ``MTT_vgg`` and ``MSD_vgg``) and scores, as ``mirloop evaluate-real`` does:

1. **every set** of the four taggers with at least one per vocabulary (MTT, MSD; 9 sets), read
   by the tagger and by the gated ``fused`` classifier at 0.93, in-sample over all tracks and
   on the recordings; then the set chosen on one half of the groups (package or collection) and
   scored on the other, over ``--splits`` random halvings (grouped cross-validation);
2. **per domain**: the gated ``fused`` classifier with the default taggers for the tracks the
   render detector hears as render-like, and each of :data:`DOMAIN_SETS` for the tracks it hears
   as recordings (where ``fused`` gives the tagger's genre); in-sample, each set fixed on the
   held-out halves, and the set chosen by grouped cross-validation.

No label is read but to score (and, in the cross-validation, to choose on the fitting half).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_real_music  # noqa: E402

#: The recordings' tagger sets compared per domain.
DOMAIN_SETS: dict[str, tuple[str, ...]] = {
    "musicnn": ("MTT_musicnn", "MSD_musicnn"),
    "vgg": ("MTT_vgg", "MSD_vgg"),
    "all four": bench_real_music.MODELS,
}


def tagger_sets(models: Sequence[str] = bench_real_music.MODELS) -> list[tuple[str, ...]]:
    """Every set of ``models`` with at least one MTT and one MSD tagger, smallest first."""
    return [
        chosen
        for size in range(2, len(models) + 1)
        for chosen in itertools.combinations(models, size)
        if any(m.startswith("MTT_") for m in chosen) and any(m.startswith("MSD_") for m in chosen)
    ]


def halvings(groups: Sequence[str], *, splits: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(fit, test)`` masks over tracks of group ``groups[i]``: each halving of the groups used both ways."""
    member = np.asarray(groups)
    names = np.array(sorted(set(groups)))
    rng = np.random.default_rng(seed)
    pairs = []
    for _ in range(splits):
        half = set(rng.permutation(names)[: len(names) // 2])
        first = np.array([g in half for g in member])
        pairs += [(first, ~first), (~first, first)]
    return pairs


def chosen_by_cv(agreed: dict[Any, np.ndarray], pairs: list[tuple[np.ndarray, np.ndarray]],
                 recordings: np.ndarray) -> dict[str, Any]:
    """The candidate best on each fitting half, scored on the held-out half (all tracks, recordings)."""
    scores, on_recordings, chosen = [], [], []
    for fit, test in pairs:
        best = max(agreed, key=lambda key: float(agreed[key][fit].mean()))  # ties: the first listed
        chosen.append(best)
        scores.append(float(agreed[best][test].mean()))
        if (test & recordings).any():
            on_recordings.append(float(agreed[best][test & recordings].mean()))
    fixed = {
        str(key): [round(float(np.mean([a[test].mean() for _, test in pairs])), 4),
                   round(float(np.mean([a[test & recordings].mean() for _, test in pairs
                                        if (test & recordings).any()])), 4)]
        for key, a in agreed.items()
    }
    return {
        "cross_validated": round(float(np.mean(scores)), 4),
        "cross_validated_recordings": round(float(np.mean(on_recordings)), 4),
        "chosen": {str(k): n for k, n in Counter(chosen).most_common()},
        "fixed_on_the_same_halves": fixed,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest")
    parser.add_argument("--cache", required=True, help="the features cache of bench_real_music.py")
    parser.add_argument("--splits", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from mirloop_musicnn.fused import MusicnnFused

    from mirloop.evaluation.coarse_genres import load_coarse_genres
    from mirloop.evaluation.real_manifest import read_manifest

    coarse = load_coarse_genres()
    tracks = [t for t in read_manifest(args.manifest, coarse=coarse).select()
              if (Path(args.cache) / f"{t.track_id}.npz").exists()]
    if not tracks:
        raise SystemExit(f"no cached features of {args.manifest} in {args.cache}; "
                         "run bench_real_music.py first")
    features = [bench_real_music.load_features(str(Path(args.cache) / f"{t.track_id}.npz")) for t in tracks]
    recordings = np.array([t.kind == "recording" for t in tracks])
    pairs = halvings([t.group for t in tracks], splits=args.splits, seed=args.seed)

    def agreement(predict: Callable[[Any], Any]) -> np.ndarray:
        return np.array([coarse.agrees(t.coarse_label, predict(f)["genre"].track_label)
                         for t, f in zip(tracks, features, strict=True)])

    print(f"{len(tracks)} tracks ({int(recordings.sum())} recordings), {args.splits} group halvings")
    for spec in ("tagger", "fused:0.93"):
        agreed = {chosen: agreement(bench_real_music.system(spec, "", ",".join(chosen)))
                  for chosen in tagger_sets()}
        for chosen, a in agreed.items():
            print(f"{spec:<11} {','.join(chosen):<45} all {a.mean():.3f}  "
                  f"recordings {a[recordings].mean():.3f}")
        cv = chosen_by_cv({",".join(k): v for k, v in agreed.items()}, pairs, recordings)
        print(f"{spec:<11} set chosen by grouped CV: all {cv['cross_validated']:.3f}  recordings "
              f"{cv['cross_validated_recordings']:.3f}; chosen {cv['chosen']}")

    heard_as_recording = np.array([MusicnnFused().weight_for(f)[0] == 1.0 for f in features])
    default = agreement(bench_real_music.system("fused:0.93"))
    per_domain = {
        name: np.where(heard_as_recording, agreement(bench_real_music.system("tagger", "", ",".join(models))),
                       default)
        for name, models in DOMAIN_SETS.items()
    }
    print(f"per domain: {int(heard_as_recording.sum())} tracks heard as recordings "
          f"({int((heard_as_recording & recordings).sum())} of them recordings) read by each set, the rest "
          "by the gated fused classifier at 0.93 with the default taggers")
    for name, a in per_domain.items():
        print(f"  {name:<9} all {a.mean():.3f} ({int(a.sum())})  recordings {a[recordings].mean():.3f} "
              f"({int(a[recordings].sum())})")
    cv = chosen_by_cv(per_domain, pairs, recordings)
    print(f"  chosen by grouped CV: all {cv['cross_validated']:.3f}  recordings "
          f"{cv['cross_validated_recordings']:.3f}; chosen {cv['chosen']}; each fixed on the same halves "
          f"(all, recordings): {cv['fixed_on_the_same_halves']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
