"""``mirloop analyze``: analyse tracks and write JAMS, Parquet/CSV tables and a figure per track."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

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


@click.command()
@click.argument("tracks", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the results; each track gets OUTPUT/<track-name>/.")
@config_options
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Tracks analysed in parallel (processes).")
@scheduler_option
@click.option("--no-figure", is_flag=True, help="Skip the PNG figure (faster on long tracks).")
@json_option
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def analyze(
    tracks: tuple[Path, ...],
    out_dir: Path,
    config_path: str | None,
    use: tuple[str, ...],
    set_: tuple[str, ...],
    workers: int,
    scheduler: str | None,
    no_figure: bool,
    as_json: bool,
    quiet: bool,
) -> None:
    """Analyse TRACK... (audio files or folders of them): tempo, key, form segments, features.

    Writes OUTPUT/<name>/<name>.jams, .grid.parquet, .segments.parquet, .segments.csv and .png,
    then prints a summary. Exits with status 1 when any track failed (the others still finish).
    Ctrl-C stops at once: the tracks that finished are listed, the others left without outputs,
    and the status is 130.
    """
    from mirloop.parallel import Interrupted
    from mirloop.pipelines.analyze import resolve_analysis_config
    from mirloop.pipelines.batch import analyze_tracks, batch_summary

    config = resolve_analysis_config(resolve_config(config_path, use, set_))
    progress = not quiet and sys.stderr.isatty()
    not_started: list[str] | None = None
    notes: list[str] = []
    executor = open_batch_executor(scheduler, workers=workers)
    try:
        reports = analyze_tracks(tracks, out_dir, config=config, workers=workers, progress=progress,
                                 figure=not no_figure, on_report=_warn_if_damaged, on_note=notes.append,
                                 executor=executor)
    except Interrupted as interrupt:
        reports, not_started = interrupt.finished, interrupt.not_started
    finally:
        executor.close()
    for note in notes:
        click.echo(f"note: {note}", err=True)
    failed = [report for report in reports if not report.ok]
    if as_json:
        echo_json({
            "output": str(out_dir),
            "backends": {stage: config.backend(stage) for stage in config.stages if stage != "renderer"},
            **batch_summary(reports, not_started=not_started, skipped=notes),
        })
    else:
        click.echo(format_summary(reports, out_dir))
    if not_started is not None:
        raise BatchInterrupted(
            f"{len(reports)} track(s) finished, {len(not_started)} not analysed (no partial outputs left)"
        )
    if failed:
        raise BatchFailed(f"{len(failed)} of {len(reports)} track(s) failed")


def _warn_if_damaged(report: Any) -> None:
    """A damaged track that was analysed: say so as it finishes (stderr)."""
    if report.ok and report.damage:
        from mirloop.types import AudioDamage

        damage = AudioDamage(tuple(report.damage["problems"]), report.damage["decoded_seconds"],
                             report.damage["declared_seconds"])
        click.echo(f"warning: {report.source}: the file is damaged — {damage.describe()}; "
                   "analysed what decodes", err=True)


def format_summary(reports: list[Any], out_dir: Path) -> str:
    """A table of the finished tracks, then the failures with their messages."""
    added = list(dict.fromkeys(stage for report in reports if report.ok for stage in report.extra_text or {}))
    header = ("track", "duration", "tempo", "key", "segments", *added, "time", "× real time", "output")
    rows: list[tuple[str, ...]] = []
    for report in reports:
        if not report.ok:
            continue
        name = Path(report.source).name + (f" [{', '.join(report.flags)}]" if report.flags else "")
        rows.append((
            name,
            f"{report.duration:.1f} s",
            "-" if report.tempo_bpm is None else f"{report.tempo_bpm:.1f} BPM",
            report.key or "-",
            "-" if report.n_segments is None else str(report.n_segments),
            *((report.extra_text or {}).get(stage, "-") for stage in added),
            f"{report.seconds:.1f} s",
            f"{report.realtime_factor:.1f}×" if report.realtime_factor else "-",
            f"{Path(report.folder).name}/" if report.folder else "-",
        ))
    lines: list[str] = []
    if rows:
        widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(header, widths)).rstrip())
        for row in rows:
            lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    failed = [report for report in reports if not report.ok]
    if failed:
        lines.append("")
        lines.append("failed:")
        for report in failed:
            error = report.error or "unknown error"
            lines.append(f"  {error}" if error.startswith(report.source) else f"  {report.source}: {error}")
    lines.append("")
    written = f"results in {out_dir}/" if rows and out_dir.is_dir() else "nothing written"
    lines.append(f"{len(rows)} of {len(reports)} track(s) analysed; {written}")
    return "\n".join(lines)
