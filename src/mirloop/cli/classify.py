"""``mirloop classify TRACK…``: descriptor labels and probabilities per track, window and segment."""

from __future__ import annotations

from typing import Any

import click

from mirloop.cli.common import config_options, echo_json, json_option, resolve_config
from mirloop.errors import AudioError


def _model_path(given: str | None, config: Any) -> str:
    from mirloop.classify.backend import configured_model

    return configured_model(given or config.options("classifier").get("model"))


def _reads_a_model_directory(backend: str) -> bool:
    """Whether the classifier backend is one that reads a trained model directory (option ``model``)."""
    if backend == "none":
        return True  # the default: the trained model's own kind
    from mirloop.plugins import registry

    return "model" in registry().get("classifier", backend).cls.options


@click.command()
@click.argument("tracks", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--model",
    "model_dir",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="Model directory written by `mirloop train` (default: classifier.model, $MIRLOOP_MODEL, "
    "else the MLP model shipped with mirloop).",
)
@click.option("--segments", is_flag=True, help="Also segment each track and label every segment.")
@click.option(
    "--top", type=click.IntRange(1), default=3, show_default=True, help="Classes listed per target."
)
@config_options
@json_option
def classify(
    tracks: tuple[str, ...],
    model_dir: str | None,
    segments: bool,
    top: int,
    config_path: str | None,
    use: tuple[str, ...],
    set_: tuple[str, ...],
    as_json: bool,
) -> None:
    """Classify TRACKs with a trained model, using the configured feature backend.

    A classifier backend that needs no trained model (e.g. ``--use classifier=musicnn
    --use features=musicnn``) classifies with the configuration as given.
    """
    import mirloop
    from mirloop.classify.aggregate import segment_predictions
    from mirloop.classify.backend import load_cached
    from mirloop.classify.setup import check_model_setup

    base = resolve_config(config_path, use, set_)
    skipped = ["tempo=none", "key=none"] + ([] if segments else ["segmenter=none"])
    if model_dir is None and not _reads_a_model_directory(base.backend("classifier")):
        path = f"{base.backend('classifier')} classifier backend"
        config = resolve_config(config_path, (*skipped, *use), set_)
    else:
        path = _model_path(model_dir, base)
        model = load_cached(path)
        config = resolve_config(
            config_path, (*skipped, *use, f"classifier={model.kind}"), (*set_, f"classifier.model={path}")
        )
        check_model_setup(model, config)
    reports = []
    failed: list[str] = []
    for track in tracks:
        try:
            analysis = mirloop.analyze(track, config=config)
        except AudioError as exc:  # one unreadable track must not stop the others
            click.echo(f"error: {exc}", err=True)
            failed.append(track)
            reports.append({"track": track, "error": str(exc)})
            continue
        prediction = analysis.prediction
        assert prediction is not None
        report: dict[str, Any] = {
            "track": track,
            "duration": analysis.duration,
            "model": path,
            "labels": {t: p.track_label for t, p in prediction.targets.items()},
            "probabilities": {
                t: dict(zip(p.classes, p.track_probabilities().round(4).tolist()))
                for t, p in prediction.targets.items()
            },
            "windows": [
                {
                    "start": float(s),
                    "end": float(e),
                    "labels": {t: p.labels[i] for t, p in prediction.targets.items()},
                    "probabilities": {
                        t: dict(zip(p.classes, p.probabilities[i].round(4).tolist()))
                        for t, p in prediction.targets.items()
                    },
                }
                for i, (s, e) in enumerate(zip(analysis.grid.starts, analysis.grid.ends))
            ],
        }
        if segments and analysis.segmentation is not None:
            report["segments"] = [
                {
                    "start": sp.segment.start,
                    "end": sp.segment.end,
                    "label": sp.segment.label,
                    "labels": sp.labels,
                }
                for sp in segment_predictions(prediction, analysis.segmentation, analysis.grid)
            ]
        reports.append(report)
        if not as_json:
            _print_report(report, prediction, top)
    if as_json:
        echo_json(reports if len(reports) > 1 else reports[0])
    if failed:
        raise AudioError(f"{len(failed)} of {len(tracks)} track(s) could not be read: {', '.join(failed)}")


def _print_report(report: dict[str, Any], prediction: Any, top: int) -> None:
    import numpy as np

    click.echo(f"{report['track']} ({report['duration']:.1f} s)")
    for target, pred in prediction.targets.items():
        mean = pred.track_probabilities()
        order = np.argsort(mean)[::-1][:top]
        ranked = ", ".join(f"{pred.classes[i]} {mean[i]:.2f}" for i in order)
        click.echo(f"  {target:<11} {report['labels'][target]:<28} ({ranked})")
    runs: list[list[Any]] = []  # [first start, last start, label] of consecutive equal windows
    shown = "descriptor" if "descriptor" in prediction.targets else next(iter(prediction.targets))
    for window in report["windows"]:
        label = window["labels"][shown]
        if runs and runs[-1][2] == label:
            runs[-1][1] = window["start"]
        else:
            runs.append([window["start"], window["start"], label])
    click.echo(
        "  windows (start s): "
        + " | ".join(f"{a:.0f}{'' if a == b else f'–{b:.0f}'} {label}" for a, b, label in runs)
    )
    for segment in report.get("segments", []):
        click.echo(
            f"  segment {segment['label']:<4} {segment['start']:6.1f}–{segment['end']:6.1f} s  "
            f"{segment['labels'][shown]}"
        )
