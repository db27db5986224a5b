"""``mirloop adapt MODEL/ TRACK… -o OUT/ --source DATA/``: fit a model's real-music adaptation."""

from __future__ import annotations

from pathlib import Path

import click

from mirloop.cli.common import BatchFailed, config_options, echo_json, json_option, resolve_config


@click.command()
@click.argument("model", type=click.Path(exists=True, file_okay=False))
@click.argument("tracks", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Adapted model folder.")
@click.option(
    "--source",
    required=True,
    type=click.Path(exists=True),
    help="Dataset folder (or its features.parquet) of renders of the model's catalog: the source domain.",
)
@click.option(
    "--method",
    type=click.Choice(["coral", "standardize"]),
    default="coral",
    show_default=True,
    help="coral aligns means and correlations; standardize only means and deviations.",
)
@click.option(
    "--shrinkage",
    type=click.FloatRange(0.0, 1.0),
    default=0.1,
    show_default=True,
    help="Blend of each correlation matrix with the identity (coral).",
)
@config_options
@json_option
def adapt(
    model: str,
    tracks: tuple[str, ...],
    output: str,
    source: str,
    method: str,
    shrinkage: float,
    config_path: str | None,
    use: tuple[str, ...],
    set_: tuple[str, ...],
    as_json: bool,
) -> None:
    """Adapt MODEL to real music from unlabelled TRACKs (files or folders); write it to OUTPUT.

    The adapted model moves the window features of real audio onto the renders' feature space
    before classifying (classifier option domain=real, the default); renders are classified as
    before (domain=render, which `mirloop loop` sets for its renders).
    """
    from tqdm import tqdm

    from mirloop.pipelines.adapt import adapt_model

    config = resolve_config(config_path, use, set_)
    bar = tqdm(desc="real tracks", unit="track", disable=as_json)

    def on_track(track: Path, error: str | None) -> None:
        bar.update(1)
        if error:
            tqdm.write(f"skipped {track}: {error}")

    try:
        report = adapt_model(
            model, tracks, output, source=source, method=method, shrinkage=shrinkage,
            config=config, on_track=on_track,
        )
    finally:
        bar.close()
    summary = {
        "output": str(report.output),
        "method": report.adaptation.method,
        "shrinkage": report.adaptation.shrinkage,
        "source_windows": report.source_windows,
        "target_tracks": report.target_tracks,
        "target_windows": report.target_windows,
        "failures": [{"track": t, "error": e} for t, e in report.failures],
    }
    if as_json:
        echo_json(summary)
    else:
        click.echo(
            f"adapted model ({report.adaptation.method}) written to {report.output}: "
            f"{report.target_windows} windows of {report.target_tracks} real tracks against "
            f"{report.source_windows} render windows"
        )
        for track, error in report.failures:
            click.echo(f"failed: {track}: {error}", err=True)
    if report.failures:
        raise BatchFailed(f"{len(report.failures)} track(s) could not be analysed (the others were used)")
