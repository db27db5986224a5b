"""``mirloop corpus analyze``: a corpus (folder, list file or FMA metadata) into a partitioned
Parquet dataset and one JAMS per track, on local processes or a Dask cluster."""

from __future__ import annotations

import sys

import click

from mirloop.cli.common import (
    BatchFailed,
    BatchInterrupted,
    config_options,
    echo_json,
    json_option,
    open_batch_executor,
    resolve_config,
    scheduler_option,
)


@click.group()
def corpus() -> None:
    """Analyse corpora of many tracks (resumable, local or on a Dask cluster)."""


@corpus.command()
@click.argument("source", type=click.Path(exists=True))
@click.option("-o", "--output", required=True, metavar="FOLDER|URL",
              help="Where the tables and JAMS go: a folder every worker sees, or an fsspec URL.")
@click.option("--audio-root", type=click.Path(exists=True, file_okay=False), default=None,
              help="FMA's audio tree (fma_small/, fma_full/…) when SOURCE is its tracks.csv "
              "(default: the folder holding tracks.csv).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Local worker processes (default: all cores; ignored with --scheduler).")
@scheduler_option
@config_options
@json_option
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def analyze(
    source: str,
    output: str,
    audio_root: str | None,
    workers: int | None,
    scheduler: str | None,
    config_path: str | None,
    use: tuple[str, ...],
    set_: tuple[str, ...],
    as_json: bool,
    quiet: bool,
) -> None:
    """Analyse every track of SOURCE — a folder of audio, a list file (one path a line) or FMA's
    tracks.csv — into OUTPUT/tracks/ (Parquet, partitioned by genre: one row per track with its
    labels, tempo, key, segments and feature means), OUTPUT/jams/<id>.jams and OUTPUT/summary.json.

    Rerun the same command to resume: tracks already done are skipped, failed ones retried. Exits
    with status 1 when any track failed (each listed once; the others finish), 130 on Ctrl-C.
    """
    from mirloop.corpus import analyze_corpus, read_corpus
    from mirloop.parallel import Interrupted
    from mirloop.pipelines.analyze import resolve_analysis_config

    config = resolve_analysis_config(resolve_config(config_path, use, set_))
    tracks = read_corpus(source, audio_root=audio_root)
    if tracks.missing_audio:
        click.echo(f"note: {tracks.missing_audio} track(s) of {source} have no audio under the tree; "
                   "left out", err=True)
    progress = not quiet and not as_json and sys.stderr.isatty()
    executor = open_batch_executor(scheduler, workers=workers)
    interrupted = False
    try:
        report = analyze_corpus(tracks, output, executor=executor, config=config, progress=progress)
    except Interrupted as interrupt:
        report, interrupted = interrupt.report, True
    finally:
        executor.close()
    if as_json:
        echo_json(report.to_dict())
    else:
        click.echo(
            f"{report.made} track(s) analysed, {report.already_done} already done, {len(report.failures)} "
            f"failed of {report.planned} ({report.workers} {report.executor} worker(s), "
            f"{report.wall_seconds:.1f} s); results in {output}/"
        )
        for failure in report.failures:
            click.echo(f"failed: {failure['error']}", err=True)
    if interrupted:
        raise BatchInterrupted(f"{report.made} track(s) finished; rerun to analyse the others")
    if report.failures:
        raise BatchFailed(f"{len(report.failures)} of {report.planned} track(s) failed")
