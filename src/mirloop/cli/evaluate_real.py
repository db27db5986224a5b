"""``mirloop evaluate-real MANIFEST``: score a classifier on labelled real music."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import click

from mirloop.cli.common import BatchFailed, config_options, echo_json, json_option, resolve_config
from mirloop.cli.model_choice import model_option
from mirloop.errors import ConfigError


def _names(value: str | None, allowed: tuple[str, ...], option: str) -> tuple[str, ...]:
    """Comma-separated names of ``allowed``; a clear error names the valid ones."""
    names = tuple(n.strip() for n in (value or "").split(",") if n.strip())
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise ConfigError(f"{option}: unknown value(s) {unknown}; choose from {', '.join(allowed)}")
    return names


def _setup(
    config_path: str | None, use: tuple[str, ...], set_: tuple[str, ...], model_dir: str | None
) -> tuple[Any, str | None]:
    """The analysis configuration (tempo, key and form off, as `mirloop classify`) and the model
    directory, when the classifier is a trained hierarchical model (checked against the set-up)."""
    from mirloop.classify.backend import is_model_backend, load_cached
    from mirloop.classify.setup import check_model_setup
    from mirloop.cli.model_choice import model_path

    skipped = ("tempo=none", "key=none", "segmenter=none")
    base = resolve_config(config_path, use, set_)
    chosen = base.backend("classifier")
    if model_dir is None and chosen != "none" and not is_model_backend(chosen):
        return resolve_config(config_path, (*skipped, *use), set_), None
    path = model_path(model_dir, base)
    model = load_cached(path)
    config = resolve_config(
        config_path, (*skipped, *use, f"classifier={model.kind}"), (*set_, f"classifier.model={path}")
    )
    check_model_setup(model, config)
    return config, path


@click.command("evaluate-real")
@click.argument("manifest", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False),
    default="real-music-evaluation",
    show_default=True,
    help="Folder for summary.json, tracks.csv, confusion.csv and confusion.png.",
)
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="Folder the manifest's paths are relative to (default: the manifest's folder).",
)
@model_option("; another classifier backend is used as configured")
@click.option("--kinds", default=None, metavar="KIND[,KIND…]", help="Only tracks of these kinds.")
@click.option(
    "--labels", default=None, metavar="LABEL[,LABEL…]", help="Only tracks with these coarse labels."
)
@click.option(
    "--basis",
    default=None,
    metavar="BASIS[,BASIS…]",
    help="Only tracks whose label_basis is one of these (named: the evidence names the genre; "
    "context: it follows from quoted context).",
)
@click.option(
    "--bootstrap",
    "n_boot",
    type=click.IntRange(1),
    default=1000,
    show_default=True,
    help="Bootstrap resamples (over tracks) of the 95 % intervals.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap.")
@click.option("--workers", type=click.IntRange(1), default=1, show_default=True, help="Worker processes.")
@config_options
@json_option
def evaluate_real(
    manifest: str,
    output: str,
    root: str | None,
    model_dir: str | None,
    kinds: str | None,
    labels: str | None,
    basis: str | None,
    n_boot: int,
    seed: int,
    workers: int,
    config_path: str | None,
    use: tuple[str, ...],
    set_: tuple[str, ...],
    as_json: bool,
) -> None:
    """Score a classifier on the labelled real music of MANIFEST (see docs/real-music.md).

    Each track's genre counts as agreement when it is one of the catalog genres its coarse label
    accepts; the summary gives the agreement with a bootstrap interval, per label, on recordings,
    on labels whose evidence names the genre (when context labels are scored too),
    the unknown rate, the confusion and the spread of the predictions.
    """
    from mirloop.evaluation.coarse_genres import load_coarse_genres
    from mirloop.evaluation.real_manifest import KINDS, LABEL_BASES, read_manifest
    from mirloop.evaluation.real_music import evaluate_real as run

    coarse = load_coarse_genres()
    chosen_kinds = _names(kinds, KINDS, "--kinds")
    chosen_labels = _names(labels, coarse.labels, "--labels")
    chosen_bases = _names(basis, LABEL_BASES, "--basis")
    table = read_manifest(manifest, coarse=coarse, root=root)
    config, model = _setup(config_path, use, set_, model_dir)
    total = len(table.select(kinds=chosen_kinds, labels=chosen_labels, bases=chosen_bases))
    done = [0]

    def progress(result: Any) -> None:
        done[0] += 1
        track = result.track
        if result.ok:
            mark = "agrees" if coarse.agrees(track.coarse_label, result.genre) else "differs"
            answer = f"{result.genre} {result.genre_probability:.2f} ({mark})"
        else:
            answer = f"FAILED: {result.error}"
        click.echo(f"[{done[0]}/{total}] {track.track_id:<40} {track.coarse_label:<11} → {answer}", err=True)

    evaluation = run(
        table,
        config,
        coarse=coarse,
        kinds=chosen_kinds,
        labels=chosen_labels,
        bases=chosen_bases,
        n_boot=n_boot,
        seed=seed,
        workers=workers,
        model=model,
        on_result=progress,
    )
    written = evaluation.save(output)
    if as_json:
        echo_json(evaluation.to_dict())
    else:
        _print_summary(evaluation.to_dict())
        for path in written:
            click.echo(f"wrote {path}")
    failures = evaluation.failures
    if failures:
        raise BatchFailed(
            f"{len(failures)} of {len(evaluation.results)} track(s) could not be analysed "
            f"({', '.join(f.track.track_id for f in failures)}); see {Path(output) / 'summary.json'}"
        )


def _ratio(block: dict[str, Any]) -> str:
    if block["n"] == 0:
        return "no tracks"
    low, high = block["ci_low"], block["ci_high"]
    return f"{block['agreed']}/{block['n']} = {block['agreement']:.3f}  [95 % CI {low:.3f}–{high:.3f}]"


def _print_summary(summary: dict[str, Any]) -> None:
    backends = summary["backends"]
    click.echo(
        f"features {backends['features']}, classifier {backends['classifier']}"
        + (f" ({summary['model']})" if summary["model"] else "")
        + f"; {summary['n_scored']} tracks scored, {summary['n_failed']} failed"
    )
    click.echo(f"genre agreement     {_ratio(summary['agreement'])}")
    if summary["recording_agreement"] is not None:
        click.echo(f"  recordings only   {_ratio(summary['recording_agreement'])}")
    if summary.get("named_agreement") is not None:
        click.echo(f"  named labels only {_ratio(summary['named_agreement'])}")
    unknown = summary["unknown_rate"]
    click.echo(f"unknown rate        {'—' if unknown is None or math.isnan(unknown) else f'{unknown:.3f}'}")
    click.echo(
        f"{'coarse label':<13} {'accepts':<24} {'n':>4} {'agreement':>10} {'95 % CI':>14}  top answers"
    )
    confusion = summary["confusion"]
    for label, counts in zip(confusion["rows"], confusion["counts"]):
        block = summary["per_label"][label]
        answers = sorted(
            ((n, g) for g, n in zip(confusion["columns"], counts) if n), key=lambda pair: (-pair[0], pair[1])
        )
        click.echo(
            f"{label:<13} {', '.join(summary['mapping'][label]):<24} {block['n']:>4} "
            f"{block['agreement']:>10.3f} {block['ci_low']:>6.3f}–{block['ci_high']:<6.3f}  "
            + ", ".join(f"{g} {n}" for n, g in answers[:3])
        )
    for name in ("genre", "descriptor"):
        spread = summary[f"{name}_spread"]
        if spread["count"]:
            click.echo(
                f"predicted {name}s: {spread['distinct']} distinct, entropy {spread['entropy']:.2f} bits; "
                + ", ".join(f"{label} {n}" for label, n in spread["top_counts"])
            )
