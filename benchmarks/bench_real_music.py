"""Genre agreement of several classifiers on labelled real music, in one table (the ablation).

Every labelled track of a manifest (see docs/real-music.md) is analysed once with the
``musicnn`` feature backend of the mirloop-musicnn plugin, whose columns hold mirloop's 21
librosa features, the MTT and MSD tag probabilities and the MSD embedding; the features are
cached (``--cache``), so adding a system costs no new analysis. Each system then classifies the
cached features and is scored exactly as ``mirloop evaluate-real`` scores (same track-level
genre, same mapping, same bootstrap):

    model:PATH          a model trained by ``mirloop train`` on any of those columns (``mlp`` is
                        the model shipped with mirloop)
    tagger              the musicnn tagger (tags → genres)
    fused:W[,R][:PATH]  genre from the tagger fused with the model at PATH (default: shipped;
                        e.g. one trained on the musicnn columns of other renders) at weight W for
                        render-like tracks and R (default 1: the tagger alone) for recordings, as
                        the render detector hears them (``fused`` classifier; ``fused-window:W``
                        with scope=window; ``fused-ungated:W`` at weight W for every track,
                        gate=none)

``--table FILE`` gives the tagger and fused systems another tag → genre table (e.g. the plugin's
``data/genre_tags_sum.toml``, the first table's sum rule); ``--models`` the taggers they read
(e.g. ``MTT_vgg,MSD_vgg``; the cached features hold the tags of all four musicnn models). A
table of the lift rule needs a prior with every model of ``--models``.

    .venv/bin/python benchmarks/bench_real_music.py MANIFEST [--systems mlp tagger fused:1 …]
        [--cache DIR] [--workers 2] [--json] [--out FILE.json] [--table FILE] [--models A,B]
        [--choose-weight [--splits 20] [--choose-system fused|fused-ungated|SPEC-WITH-{w}]]

Targets (issue: real music in, the right style out): agreement ≥ .80, no coarse label under
.60, ``unknown`` ≤ .15, and above the tagger on the same tracks.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

TARGET_AGREEMENT = 0.80
TARGET_PER_LABEL = 0.60
TARGET_UNKNOWN = 0.15
DEFAULT_SYSTEMS = ("mlp", "tagger", "fused:0.5", "fused:0.8", "fused:1")
#: The weights of the fused classifier tried by ``--choose-weight``.
WEIGHTS = (0.0, 0.25, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 1.0)


#: Every tagger's columns are cached, so any set of them can be scored (``--models``).
MODELS = ("MTT_musicnn", "MSD_musicnn", "MTT_vgg", "MSD_vgg")


def _features_config() -> dict[str, Any]:
    return {
        "features": {"backend": "musicnn", "librosa": True, "mtt": True, "msd": True, "embedding": True,
                     "models": list(MODELS)},
        "tempo": {"backend": "none"},
        "key": {"backend": "none"},
        "segmenter": {"backend": "none"},
        "classifier": {"backend": "none"},
    }


def cached_features(audio: str, cache: str) -> str:
    """Analyse ``audio`` once into ``cache`` (an ``.npz``); returns the cache file."""
    if os.path.exists(cache):
        return cache
    from mirloop.pipelines.analyze import analyze_file, resolve_analysis_config

    features = analyze_file(audio, config=resolve_analysis_config(_features_config())).analysis.features
    assert features is not None
    partial = cache + ".partial.npz"
    np.savez(
        partial,
        values=features.values,
        names=np.array(features.names),
        pca_input=features.pca_input if features.pca_input is not None else np.zeros((0, 0)),
        duration=np.array(features.grid.duration),
    )
    os.replace(partial, cache)
    return cache


def load_features(cache: str) -> Any:
    from mirloop.types import Features, Grid

    with np.load(cache, allow_pickle=False) as data:
        pca = data["pca_input"]
        return Features(
            grid=Grid(float(data["duration"])),
            values=data["values"],
            names=tuple(str(n) for n in data["names"]),
            pca_input=pca if pca.size else None,
            backend="musicnn",
        )


def system(spec: str, table: str = "", models: str = "") -> Callable[[Any], Any]:
    """A function from cached features to a :class:`~mirloop.types.Prediction`; ``models`` (comma-separated)
    are the taggers the tagger and fused systems read (default: the plugin's default)."""
    from mirloop_musicnn.classifier import MusicnnTagger
    from mirloop_musicnn.fused import MusicnnFused, model_features

    from mirloop.classify.backend import DEFAULT_MODEL, load_cached

    kind, _, rest = spec.partition(":")
    tagging = {"models": models} if models else {}
    if kind == "tagger":
        return MusicnnTagger(table=table, **tagging).predict
    if kind in ("fused", "fused-window", "fused-ungated"):
        weights, _, path = rest.partition(":")
        weight, _, recording = weights.partition(",")
        scope = "window" if kind == "fused-window" else "track"
        gate = "none" if kind == "fused-ungated" else "detector"
        return MusicnnFused(
            weight=float(weight), recording_weight=float(recording or 1.0), model=path, scope=scope,
            table=table, gate=gate, **tagging,
        ).predict
    if kind in ("mlp", "model"):
        model = load_cached(str(DEFAULT_MODEL) if kind == "mlp" else rest)
        return lambda f: model.predict(
            model_features(f, model.info.feature_names, model.info.feature_backend), domain="real"
        )
    raise SystemExit(
        f"unknown system {spec!r}: use mlp, model:PATH, tagger, fused:W[,R][:PATH], fused-window:W, "
        "fused-ungated:W"
    )


def weighted(choose_system: str, weight: float) -> str:
    """The system spec of ``--choose-system`` at ``weight``: ``fused`` → ``fused:0.9``; a spec with
    ``{w}`` gets the weight there (``fused:0.93,{w}:MODEL`` → ``fused:0.93,0.9:MODEL``)."""
    template = choose_system if "{w}" in choose_system else choose_system + ":{w}"
    return template.format(w=weight)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from mirloop.evaluation.coarse_genres import load_coarse_genres
    from mirloop.evaluation.real_manifest import read_manifest
    from mirloop.evaluation.real_scores import score_predictions

    coarse = load_coarse_genres()
    manifest = read_manifest(args.manifest, coarse=coarse)
    tracks = manifest.select()
    cache_dir = Path(args.cache)
    cache_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    caches: dict[str, str] = {}
    failures: dict[str, str] = {}
    with cf.ProcessPoolExecutor(args.workers) as pool:
        futures = {
            pool.submit(cached_features, str(t.audio), str(cache_dir / f"{t.track_id}.npz")): t
            for t in tracks
        }
        for done, future in enumerate(cf.as_completed(futures), 1):
            track = futures[future]
            try:
                caches[track.track_id] = future.result()
            except Exception as exc:  # reported, the others go on
                failures[track.track_id] = f"{type(exc).__name__}: {exc}"
            print(f"[{done}/{len(tracks)}] features of {track.track_id}", file=sys.stderr)
    analysed = [t for t in tracks if t.track_id in caches]
    features = {t.track_id: load_features(caches[t.track_id]) for t in analysed}
    rows = []
    for spec in args.systems:
        predict = system(spec, args.table, args.models)
        genres, descriptors = [], []
        for track in analysed:
            prediction = predict(features[track.track_id])
            genres.append(prediction["genre"].track_label)
            descriptors.append(
                prediction["descriptor"].track_label if "descriptor" in prediction.targets else ""
            )
        scores = score_predictions(
            [t.coarse_label for t in analysed],
            genres,
            coarse=coarse,
            kinds=[t.kind for t in analysed],
            bases=[t.label_basis or "named" for t in analysed],
            descriptors=descriptors,
            seed=args.seed,
        ).to_dict()
        per_label = scores["per_label"]
        scores["met"] = bool(
            scores["agreement"]["agreement"] >= TARGET_AGREEMENT
            and all(v["agreement"] >= TARGET_PER_LABEL for v in per_label.values())
            and scores["unknown_rate"] <= TARGET_UNKNOWN
        )
        tracks_seen = [
            {"track_id": t.track_id, "label": t.coarse_label, "kind": t.kind, "genre": genre,
             "agrees": bool(coarse.agrees(t.coarse_label, genre))}
            for t, genre in zip(analysed, genres, strict=True)
        ]
        rows.append({"system": spec, **scores, "tracks": tracks_seen})
    return {
        "manifest": str(args.manifest),
        "tracks": len(analysed),
        "failures": failures,
        "seconds": round(time.perf_counter() - started, 1),
        "table": args.table or "shipped",
        "models": args.models or "default",
        "systems": rows,
    }


def choose_weight(args: argparse.Namespace) -> dict[str, Any]:
    """Grouped cross-validation of the fused classifier's weight: over ``--splits`` random halvings
    of the tracks by group (package or collection), the weight of :data:`WEIGHTS` best on one half
    is scored on the other; the mean of those scores estimates the agreement of a weight chosen
    on data like this set, without the optimism of choosing and scoring on the same tracks. The
    held-out half is also scored on its recordings and on its ``named`` labels alone.
    ``--choose-system`` says which fused system's weight is chosen (``fused``: gated, the
    default; ``fused-ungated``: one weight for every track; or any system spec with ``{w}`` where
    the weight goes, e.g. ``fused:0.93,{w}:MODEL`` chooses the recordings' weight of another model)."""
    from mirloop.evaluation.coarse_genres import load_coarse_genres
    from mirloop.evaluation.real_manifest import read_manifest

    coarse = load_coarse_genres()
    tracks = [
        t
        for t in read_manifest(args.manifest, coarse=coarse).select()
        if (Path(args.cache) / f"{t.track_id}.npz").exists()
    ]
    features = [load_features(str(Path(args.cache) / f"{t.track_id}.npz")) for t in tracks]
    agreed = {}
    for weight in WEIGHTS:
        predict = system(weighted(args.choose_system, weight), args.table, args.models)
        agreed[weight] = np.array(
            [coarse.agrees(t.coarse_label, predict(f)["genre"].track_label) for t, f in zip(tracks, features)]
        )
    groups = np.array(sorted({t.group for t in tracks}))
    member = np.array([t.group for t in tracks])
    subsets = {
        "all": np.ones(len(tracks), dtype=bool),
        "recordings": np.array([t.kind == "recording" for t in tracks]),
        "named": np.array([(t.label_basis or "named") == "named" for t in tracks]),
    }
    rng = np.random.default_rng(args.seed)
    chosen: list[float] = []
    scores: dict[str, list[float]] = {name: [] for name in subsets}
    for _ in range(args.splits):
        half = set(rng.permutation(groups)[: len(groups) // 2])
        first = np.array([g in half for g in member])
        for fit, test in ((first, ~first), (~first, first)):
            best = max(WEIGHTS, key=lambda w: (agreed[w][fit].mean(), -abs(w - 0.5)))
            chosen.append(best)
            for name, subset in subsets.items():
                if (test & subset).any():
                    scores[name].append(float(agreed[best][test & subset].mean()))
    return {
        "system": args.choose_system,
        "in_sample": {str(w): round(float(a.mean()), 4) for w, a in agreed.items()},
        "cross_validated": round(float(np.mean(scores["all"])), 4),
        "cross_validated_recordings": round(float(np.mean(scores["recordings"])), 4),
        "cross_validated_named": round(float(np.mean(scores["named"])), 4),
        "weights_chosen": dict(sorted(Counter(chosen).items())),
        "halvings": args.splits,
    }


def table(result: dict[str, Any]) -> str:
    def ratio(block: dict[str, Any] | None) -> str:
        if not block:
            return "–"
        low, high = block["ci_low"], block["ci_high"]
        return f"{block['agreed']}/{block['n']} = {block['agreement']:.2f} [{low:.2f}–{high:.2f}]"

    labels = list(result["systems"][0]["per_label"]) if result["systems"] else []
    head = f"{'system':<22} {'all tracks':<26} {'recordings':<26} {'named labels':<26} unknown  " + " ".join(
        f"{label[:6]:>6}" for label in labels
    )
    lines = [
        f"genre agreement on {result['tracks']} labelled tracks of {result['manifest']} (taggers: "
        f"{result.get('models', 'default')})",
        head,
        "-" * len(head),
    ]
    for row in result["systems"]:
        per = " ".join(f"{row['per_label'][label]['agreement']:>6.2f}" for label in labels)
        lines.append(
            f"{row['system']:<22} {ratio(row['agreement']):<26} {ratio(row['recording_agreement']):<26} "
            f"{ratio(row['named_agreement']):<26} {row['unknown_rate']:>7.2f}  {per}"
        )
    for row in result["systems"]:
        per_recording: dict[str, list[int]] = {}
        for track in row.get("tracks", []):
            if track["kind"] == "recording":
                counts = per_recording.setdefault(track["label"], [0, 0])
                counts[0] += int(track["agrees"])
                counts[1] += 1
        if per_recording:
            lines.append(f"{row['system']}, recordings per label: "
                         + ", ".join(f"{label} {a}/{n}" for label, (a, n) in sorted(per_recording.items())))
    lines.append(
        f"targets: agreement ≥ {TARGET_AGREEMENT:.2f}, every label ≥ {TARGET_PER_LABEL:.2f}, unknown ≤ "
        f"{TARGET_UNKNOWN:.2f}; n per label: "
        + ", ".join(f"{label} {result['systems'][0]['per_label'][label]['n']}" for label in labels)
    )
    if result["failures"]:
        lines.append(f"failed: {result['failures']}")
    if "fused_weight" in result:
        cv = result["fused_weight"]
        lines.append(
            f"{cv['system']} weight by grouped cross-validation ({cv['halvings']} halvings): agreement "
            f"{cv['cross_validated']:.3f} (recordings {cv['cross_validated_recordings']:.3f}, named "
            f"{cv['cross_validated_named']:.3f}); weights chosen {cv['weights_chosen']}; "
            f"in-sample {cv['in_sample']}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest")
    parser.add_argument("--systems", nargs="+", default=list(DEFAULT_SYSTEMS))
    parser.add_argument("--cache", default=os.path.expanduser("~/.cache/mirloop/real-music-features"))
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", default=None, help="also write the result as JSON here")
    parser.add_argument(
        "--choose-weight", action="store_true", help="also cross-validate the fused weight by group halvings"
    )
    parser.add_argument("--table", default="", help="tag → genre table of the tagger and fused systems "
                        "(default: the plugin's shipped table)")
    parser.add_argument("--models", default="",
                        help="comma-separated taggers the tagger and fused systems read, "
                        "averaged per vocabulary (default: the plugin's default; the cache holds all of "
                        f"{', '.join(MODELS)})")
    parser.add_argument("--splits", type=int, default=20, help="group halvings of --choose-weight")
    parser.add_argument("--choose-system", default="fused",
                        help="the fused system whose weight --choose-weight chooses: fused (gated, the "
                        "default), fused-ungated, or a system spec with {w} for the weight")
    args = parser.parse_args(argv)
    result = run(args)
    if args.choose_weight:
        result["fused_weight"] = choose_weight(args)
    print(json.dumps(result, indent=1) if args.json else table(result))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
