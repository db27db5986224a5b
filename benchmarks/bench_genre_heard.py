"""Are mirloop's renders heard as their own genre by a tagger trained on real music?

For every catalog genre, ``--per-genre`` descriptors are drawn (seeded), each rendered once as a
single region of ``--seconds`` and stored as the dataset stores renders (mono 22,050 Hz, 16 bit).
Each render is then classified twice in the same run:

* by the *judge*, a real-music tagger (default: the ``musicnn`` feature and classifier backends
  of the mirloop-musicnn plugin; tags map to catalog genres through its documented table), and
* by the *reference*, the descriptor classifier trained on renders: the model shipped for the
  renders' production (the loop's listener; the default MLP for GM renders),

so the table shows how far the renders' genre as real music hears it lies from the genre the
render classifier (trained on the renders themselves) hears. A documentary render heard as
cinematic counts as heard right (the two genres share their orchestral idiom).

    .venv/bin/python benchmarks/bench_genre_heard.py [--per-genre 5] [--seconds 30] [--seed 0]
        [--render-set KEY=VALUE…] [--genres pop,folk] [--only GLOB…] [--tags 6] [--json]
        [--figure heard.png] [--check]
    .venv/bin/python benchmarks/bench_genre_heard.py --cost [--render-set production=genre]

``--genres`` renders only some genres' descriptors (each keeps the seed it has in the whole draw, so
a genre's renders are those of the full run), ``--only GLOB`` only the drawn descriptors whose name
matches (e.g. ``'rock_classic_*'``, with a large ``--per-genre`` to draw a subgenre's moods);
``--tags N`` prints the N tags each render carries most above their real-music prior
(``p(tag) / prior(tag)``, the lift the judge's table reads).
``--cost`` judges nothing: it prints the CPU time of rendering the first drawn descriptor of every
genre (``--seconds`` long, at the renderer's default 44.1 kHz), the cost of the render settings.

Targets (issue: real music in, the right style out): overall ≥ .80, every genre ≥ .60.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from fnmatch import fnmatch
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

#: Genres whose renders may be heard as another genre and still count as heard right.
ALSO_HEARD_AS: dict[str, tuple[str, ...]] = {"documentary": ("cinematic",)}
TARGET_OVERALL = 0.80
TARGET_PER_GENRE = 0.60


def _parse_settings(items: Sequence[str]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--render-set expects KEY=VALUE, got {item!r}")
        try:
            settings[key] = json.loads(value)
        except json.JSONDecodeError:
            settings[key] = value
    return settings


def draw_descriptors(per_genre: int, seed: int) -> list[tuple[str, str]]:
    """``(genre, descriptor)`` pairs: ``per_genre`` distinct descriptors of every catalog genre."""
    from mirloop.catalog import load_catalog

    catalog = load_catalog()
    rng = np.random.default_rng(seed)
    drawn = []
    for genre in catalog.genres():
        names = sorted(d.name for d in catalog.filter(genre=genre))
        chosen = rng.choice(len(names), size=min(per_genre, len(names)), replace=False)
        drawn += [(genre, names[i]) for i in sorted(chosen)]
    return drawn


def track_genre(audio: Any, config: dict[str, Any], *, tags: int = 0) -> tuple[str, float, list[str]]:
    """The track-level genre label (and its mean probability) of ``audio`` under ``config``, and
    the ``tags`` musicnn tags heard most above their prior (``[]`` when 0 or not musicnn)."""
    from mirloop.pipelines.analyze import analyze_samples, resolve_analysis_config

    run = analyze_samples(audio, config=resolve_analysis_config(config))
    prediction = run.analysis.prediction
    assert prediction is not None
    genre = prediction["genre"]
    label = genre.track_label
    probabilities = genre.track_probabilities()
    index = list(genre.classes).index(label) if label in genre.classes else int(np.argmax(probabilities))
    return label, float(probabilities[index]), _top_tags(run.analysis.features, tags) if tags else []


def _top_tags(features: Any, count: int) -> list[str]:
    """``"group:tag ×lift"`` for the ``count`` tags with the highest mean ``p(tag) / prior(tag)``."""
    try:
        from mirloop_musicnn.tag_prior import load_tag_prior
        from mirloop_musicnn.tags import PREFIXES, VOCABULARY, slug
    except ImportError:
        return []
    if features is None:
        return []
    prior = load_tag_prior()
    lifts = []
    for group, vocabulary in VOCABULARY.items():
        for tag in vocabulary:
            column = PREFIXES[group] + slug(tag)
            if column in features.names:
                p = float(np.mean(features.values[:, features.names.index(column)]))
                lifts.append((p / prior.of(group, tag), f"{group}:{tag}"))
    return [f"{name} ×{lift:.1f}" for lift, name in sorted(lifts, reverse=True)[:count]]


def listener_model(render_config: dict[str, Any]) -> str:
    """The model shipped for the production the renders are made with (the loop's listener)."""
    from mirloop.classify.backend import DEFAULT_MODEL, SHIPPED_MODELS
    from mirloop.renderer.option_table import OPTIONS

    production = str(render_config.get("production", OPTIONS["production"].default))
    return str(SHIPPED_MODELS.get(production, DEFAULT_MODEL))


def run(args: argparse.Namespace) -> dict[str, Any]:
    from mirloop.dataset.render_job import stored_analysis_audio
    from mirloop.renderer import render
    from mirloop.timeline import single_region

    off = {"tempo": {"backend": "none"}, "key": {"backend": "none"}, "segmenter": {"backend": "none"}}
    judge = {**off, "features": {"backend": args.judge_features}, "classifier": {"backend": args.judge}}
    render_config = _parse_settings(args.render_set)
    listener = listener_model(render_config)
    reference = {**off, "classifier": {"backend": "mlp", "domain": "render", "model": listener}}
    rows = []
    started = time.perf_counter()
    drawn = draw_descriptors(args.per_genre, args.seed)
    wanted = set(args.genres.split(",")) if args.genres else None
    unknown = sorted((wanted or set()) - {g for g, _ in drawn})
    if unknown:
        genres = sorted({g for g, _ in drawn})
        raise SystemExit(f"--genres: no such catalog genre {unknown}; choose from {genres}")
    chosen = [
        (i, g, d)
        for i, (g, d) in enumerate(drawn)
        if (wanted is None or g in wanted) and (not args.only or any(fnmatch(d, p) for p in args.only))
    ]
    if not chosen:
        raise SystemExit("no drawn descriptor matches --genres/--only; draw more with --per-genre")
    for done, (i, genre, descriptor) in enumerate(chosen):
        seed = args.seed * 1000 + i
        timeline = single_region(descriptor, args.seconds, seed=seed)
        audio = stored_analysis_audio(render(timeline, seed=seed, config=render_config).audio)
        heard, p_heard, top = track_genre(audio, judge, tags=args.tags)
        own, p_own, _ = track_genre(audio, reference)
        accepted = (genre, *ALSO_HEARD_AS.get(genre, ()))
        rows.append(
            {
                "genre": genre, "descriptor": descriptor, "seed": seed,
                "heard": heard, "heard_probability": round(p_heard, 4), "heard_right": heard in accepted,
                "reference": own, "reference_probability": round(p_own, 4), "reference_right": own == genre,
            }
        )
        print(f"[{done + 1}/{len(chosen)}] {descriptor}: heard {heard} ({p_heard:.2f}), reference {own}"
              + (f"; tags {', '.join(top)}" if top else ""), file=sys.stderr)
    per_genre = {
        genre: {
            "n": len(sub),
            "heard": float(np.mean([r["heard_right"] for r in sub])),
            "reference": float(np.mean([r["reference_right"] for r in sub])),
            "heard_as": dict(sorted(Counter(r["heard"] for r in sub).items())),
        }
        for genre in dict.fromkeys(r["genre"] for r in rows)
        for sub in [[r for r in rows if r["genre"] == genre]]
    }
    overall = float(np.mean([r["heard_right"] for r in rows]))
    return {
        "judge": f"features={args.judge_features} classifier={args.judge}",
        "reference": f"classifier=mlp (model {listener}, domain=render)",
        "render_config": render_config,
        "per_genre_descriptors": args.per_genre,
        "seconds": args.seconds,
        "seed": args.seed,
        "overall": overall,
        "reference_overall": float(np.mean([r["reference_right"] for r in rows])),
        "per_genre": per_genre,
        "met": overall >= TARGET_OVERALL and all(g["heard"] >= TARGET_PER_GENRE for g in per_genre.values()),
        "elapsed_s": round(time.perf_counter() - started, 1),
        "renders": rows,
    }


def cost(args: argparse.Namespace) -> str:
    """CPU seconds of one render per genre (the first descriptor of the draw) under the settings."""
    from mirloop.renderer import render
    from mirloop.timeline import single_region

    render_config = _parse_settings(args.render_set)
    first: dict[str, tuple[int, str]] = {}
    for i, (genre, descriptor) in enumerate(draw_descriptors(args.per_genre, args.seed)):
        first.setdefault(genre, (i, descriptor))
    lines = [f"render CPU time, {args.seconds:g} s, render settings {render_config or 'default'}"]
    total = 0.0
    for genre, (i, descriptor) in first.items():
        seed = args.seed * 1000 + i
        timeline = single_region(descriptor, args.seconds, seed=seed)
        started = time.process_time()
        render(timeline, seed=seed, config=render_config)
        spent = time.process_time() - started
        total += spent
        lines.append(f"{genre:<12} {descriptor:<40} {spent:6.2f} s")
    lines.append(f"{'all':<12} {'':<40} {total:6.2f} s")
    return "\n".join(lines)


def table(result: dict[str, Any]) -> str:
    lines = [
        f"renders heard as their own genre: judge {result['judge']}; reference {result['reference']}",
        f"{result['per_genre_descriptors']} descriptors per genre, {result['seconds']:g} s, "
        f"seed {result['seed']}, render settings {result['render_config'] or 'default'}",
        f"{'genre':<12} {'n':>3} {'heard':>6} {'reference':>9}  heard as",
        "-" * 72,
    ]
    for genre, row in result["per_genre"].items():
        mark = "ok" if row["heard"] >= TARGET_PER_GENRE else "  "
        heard_as = ", ".join(f"{k} {v}" for k, v in row["heard_as"].items())
        lines.append(
            f"{genre:<12} {row['n']:>3} {row['heard']:>6.2f} {row['reference']:>9.2f}  {mark} {heard_as}"
        )
    lines.append("-" * 72)
    ratio = result["overall"] / result["reference_overall"] if result["reference_overall"] else float("nan")
    lines.append(
        f"{'all':<12} {len(result['renders']):>3} {result['overall']:>6.2f} "
        f"{result['reference_overall']:>9.2f}  "
        f"target ≥ {TARGET_OVERALL:.2f} overall, ≥ {TARGET_PER_GENRE:.2f} per genre: "
        f"{'met' if result['met'] else 'missed'}; heard / reference = {ratio:.2f}; {result['elapsed_s']} s"
    )
    return "\n".join(lines)


def figure(result: dict[str, Any], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    genres = list(result["per_genre"])
    heard = [result["per_genre"][g]["heard"] for g in genres]
    reference = [result["per_genre"][g]["reference"] for g in genres]
    x = np.arange(len(genres))
    fig, ax = plt.subplots(figsize=(9, 3.6))
    ax.bar(x - 0.2, heard, 0.4, label=f"heard right by the real-music tagger ({result['overall']:.2f})")
    ax.bar(x + 0.2, reference, 0.4, label=f"render classifier ({result['reference_overall']:.2f})", alpha=0.6)
    ax.axhline(TARGET_PER_GENRE, color="k", lw=0.8, ls=":")
    ax.axhline(TARGET_OVERALL, color="k", lw=0.8, ls="--")
    ax.set_xticks(x, genres, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("share of renders")
    ax.set_title("Renders heard as their own genre", fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-genre", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--judge", default="musicnn", help="classifier backend of the judge")
    parser.add_argument("--judge-features", default="musicnn", help="feature backend of the judge")
    parser.add_argument("--render-set", action="append", default=[], metavar="KEY=VALUE",
                        help="renderer setting for every render (repeatable; JSON values)")
    parser.add_argument("--genres", default="", help="comma-separated genres to render (default: all)")
    parser.add_argument("--only", action="append", default=[], metavar="GLOB",
                        help="only drawn descriptors matching, e.g. 'rock_classic_*' (repeatable)")
    parser.add_argument("--tags", type=int, default=0, help="print each render's N most lifted musicnn tags")
    parser.add_argument("--cost", action="store_true", help="only time one render per genre (CPU s)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--figure", default=None, help="write a bar chart PNG here")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.cost:
        print(cost(args))
        return 0
    result = run(args)
    print(json.dumps(result, indent=1) if args.json else table(result))
    if args.figure:
        figure(result, args.figure)
    return 1 if args.check and not result["met"] else 0


if __name__ == "__main__":
    sys.exit(main())
