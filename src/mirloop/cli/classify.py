"""``mirloop classify TRACK…``: descriptor labels and probabilities per track, window and segment."""

from __future__ import annotations

from typing import Any

import click

from mirloop.cli.common import BatchFailed, config_options, echo_json, json_option, resolve_config
from mirloop.cli.model_choice import model_option
from mirloop.errors import MirloopError


@click.command()
@click.argument("tracks", nargs=-1, required=True, type=click.Path())
@model_option()
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
    """Classify TRACKs (audio files or folders of them) with a trained model, using the
    configured feature backend.

    Without --model, a configured classifier or $MIRLOOP_MODEL, the real-music classifier
    ``fused`` classifies when the mirloop-musicnn plugin is installed (genre from a tagger trained
    on real music, the rest from the shipped model), else the shipped model.

    A track that fails is reported (with --json as {"track", "error"}) and the others go on;
    the exit status is then 1 (2 when the model or configuration is refused before any track).
    A classifier backend that needs no trained model (e.g. ``--use classifier=musicnn
    --use features=musicnn``) classifies with the configuration as given.
    """
    import mirloop
    from mirloop.classify.aggregate import segment_predictions
    from mirloop.classify.backend import default_classifier, is_model_backend, load_cached
    from mirloop.classify.setup import check_model_setup
    from mirloop.cli.model_choice import model_path
    from mirloop.config import option_variable

    base = resolve_config(config_path, use, set_)
    skipped = ["tempo=none", "key=none"] + ([] if segments else ["segmenter=none"])
    classifier = base.backend("classifier")
    default: dict[str, Any] = {}
    if model_dir is None and classifier == "none" and not option_variable("classifier", "model"):
        default = default_classifier()  # the real-music classifier when installed, else the shipped model
        classifier = default["classifier"]["backend"]
    if model_dir is None and classifier != "none" and not is_model_backend(classifier):
        path = f"{classifier} classifier backend"
        config = resolve_config(config_path, (*skipped, *use), set_).merged(default, "classify default")
    else:
        path = model_path(model_dir, base)
        model = load_cached(path)
        config = resolve_config(
            config_path, (*skipped, *use, f"classifier={model.kind}"), (*set_, f"classifier.model={path}")
        )
        check_model_setup(model, config)
    from mirloop.pipelines.batch import empty_folder_message, scan_inputs, temporary_note

    scanned = scan_inputs(tracks)
    for temporary in scanned.temporaries:
        click.echo(f"note: {temporary_note(temporary)}", err=True)
    reports: list[dict[str, Any]] = []
    failed: list[str] = []
    for folder in scanned.empty_folders:  # reported as failed; the other tracks go on
        click.echo(f"error: {empty_folder_message(folder)}", err=True)
        failed.append(str(folder))
        reports.append({"track": str(folder), "error": empty_folder_message(folder)})
    for track in map(str, scanned.tracks):
        try:
            analysis = mirloop.analyze(track, config=config)
        except Exception as exc:  # one bad track (unreadable, or a backend failing on it) stops nothing
            error = str(exc) if isinstance(exc, MirloopError) else f"unexpected {type(exc).__name__}: {exc}"
            click.echo(f"error: {error if error.startswith(track) else f'{track}: {error}'}", err=True)
            failed.append(track)
            reports.append({"track": track, "error": error})
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
        echo_json(reports if len(reports) != 1 else reports[0])
    if failed:
        total = len(scanned.tracks) + len(scanned.empty_folders)
        raise BatchFailed(f"{len(failed)} of {total} track(s) failed: {', '.join(failed)}")


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
