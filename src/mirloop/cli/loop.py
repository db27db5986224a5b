"""``mirloop loop TRACK... -o OUT/``: analyse reference tracks, render them back, re-classify, report."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import click

from mirloop.cli.common import (
    BatchFailed,
    BatchInterrupted,
    config_options,
    default_of,
    echo_json,
    json_option,
    open_batch_executor,
    resolve_config,
    scheduler_option,
)

if TYPE_CHECKING:
    from mirloop.pipelines.batch import ScannedInputs


def setting(name: str) -> dict[str, Any]:
    """The option keywords of a :class:`mirloop.loop.settings.LoopSettings` field: its default
    is the field's (one source)."""
    return default_of("mirloop.loop.settings", "LoopSettings", name)


@click.command()
@click.argument("tracks", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Report folder.")
@click.option(
    "--model",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="Model directory written by `mirloop train` (sets the input's classifier; default: the "
    "configured classifier, else the one `mirloop classify` uses: the fused real-music classifier "
    "when mirloop-musicnn is installed, else the MLP shipped with mirloop).",
)
@click.option(
    "--listener",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="Model directory that hears the renders (default: the input's classifier's model, or the "
    "model shipped for the renderer's production when that one was trained on another).",
)
@click.option(
    "--renders", type=click.IntRange(0), **setting("renders"),
    help="Multi-region renders per track.",
)
@click.option(
    "--descriptors",
    type=click.IntRange(0),
    **setting("descriptors"),
    help="Top descriptors per track rendered as single-region renders.",
)
@click.option(
    "--tempi",
    type=click.IntRange(1),
    **setting("tempi"),
    help="Top tempi per track for single-region renders.",
)
@click.option(
    "--keys",
    type=click.IntRange(1),
    **setting("keys"),
    help="Top keys per track for single-region renders.",
)
@click.option("--seed", type=int, **setting("seed"), help="Seed of every render.")
@click.option(
    "--seeds",
    callback=lambda _ctx, _param, value: _parse_seeds(value),
    default=None,
    metavar="S[,S…]",
    help="Run the loop once per seed of the renders (into OUT/seed-<S>/) and summarise accuracy "
    "and consistency over the seeds (OUT/seeds.csv); replaces --seed.",
)
@click.option(
    "--joined/--separate-regions",
    **setting("joined"),
    help="Multi-region renders play the segments as sections of one piece (no intro or ring-out at "
    "inner boundaries), or as separate pieces, each with its own intro and ending.",
)
@click.option(
    "--tempo-margin",
    type=click.FloatRange(0.0, 0.5, max_open=True),
    **setting("tempo_margin"),
    help="Share of a descriptor's tempo range kept clear at either end when the track's tempo is "
    "fitted to it (0: anywhere in the range; the ends border the neighbouring momentum levels).",
)
@click.option(
    "--separation/--no-separation",
    **setting("separate"),
    help="Strip vocals before analysis (separator 'repet' unless configured).",
)
@click.option(
    "--audio/--no-audio", **setting("audio"), help="Write OGG players for the HTML report."
)
@click.option(
    "--workers",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Tracks processed at once, each in its own process.",
)
@scheduler_option
@click.option(
    "--peer",
    default="auto",
    show_default=True,
    help="A second listener shown beside the classifier for each input segment in the report: "
    "CLASSIFIER[:FEATURES] backends; 'auto' is the real-music tagger musicnn when its plugin is "
    "installed; 'none' for no peer.",
)
@click.option(
    "--list-renders",
    is_flag=True,
    help="End with one line per render: its audio file, the descriptor, tempo and key of each region, "
    "and what the classifier heard in it.",
)
@click.option("--progress/--no-progress", default=True, show_default=True)
@config_options
@json_option
def loop(
    tracks: tuple[str, ...],
    output: str,
    model: str | None,
    listener: str | None,
    renders: int,
    descriptors: int,
    tempi: int,
    keys: int,
    seed: int,
    seeds: tuple[int, ...] | None,
    joined: bool,
    tempo_margin: float,
    separation: bool,
    audio: bool,
    workers: int,
    scheduler: str | None,
    peer: str,
    list_renders: bool,
    progress: bool,
    config_path: str | None,
    use: tuple[str, ...],
    set_: tuple[str, ...],
    as_json: bool,
) -> None:
    """Render every TRACK back from its analysis and measure how well the classifier agrees.

    Exits with status 1 when any track or render failed (the others still finish; the
    failures are listed on stderr, in report.json and in --json), 2 when the run cannot start
    (a bad configuration, or a model that is refused), 130 when Ctrl-C stopped it (the report
    then covers the tracks that finished; the others keep no outputs).
    """
    from mirloop.loop.peer import resolve_peer
    from mirloop.loop.settings import LoopSettings
    from mirloop.parallel import Interrupted

    settings = LoopSettings(
        renders=renders,
        descriptors=descriptors,
        tempi=tempi,
        keys=keys,
        seed=seed,
        joined=joined,
        tempo_margin=tempo_margin,
        separate=separation,
        audio=audio,
        peer=resolve_peer(peer),
        listener=listener or "",
    )
    options = {
        "config": resolve_config(config_path, use, set_),
        "model": model,
        "progress": progress and not as_json,
        "workers": workers,
    }
    from mirloop.pipelines.batch import scan_inputs

    scanned = scan_inputs(tracks)  # once: every seed's run loops these
    one_track = len(scanned.tracks) <= 1  # looped here, with a bar of its renders
    executor = open_batch_executor(scheduler, workers=workers, start=not one_track)
    options["executor"] = executor
    try:
        _run(scanned, output, seeds, settings, options, as_json, list_renders=list_renders)
    except Interrupted as interrupt:
        for track in interrupt.finished:
            state = "" if track.ok else f" (failed: {track.error})"
            click.echo(f"finished {track.source} -> {track.folder}{state}")
        where = f"; report of those: {output}/report.html" if interrupt.report is not None else ""
        raise BatchInterrupted(
            f"{len(interrupt.finished)} track(s) finished, {len(interrupt.not_started)} not looped{where}"
        ) from None
    finally:
        executor.close()


def _run(
    tracks: ScannedInputs,
    output: str,
    seeds: tuple[int, ...] | None,
    settings: Any,
    options: dict[str, Any],
    as_json: bool,
    *,
    list_renders: bool = False,
) -> None:
    from mirloop.loop.listing import render_lines
    from mirloop.loop.run import run_loop, run_loop_seeds

    if seeds:
        reports, summary = run_loop_seeds(tracks, output, seeds, settings=settings, **options)
        if as_json:
            echo_json({"seeds": list(reports), "summary": summary.to_dict("records"), **_failures(reports)})
            _exit_if_failed(list(reports.values()))
            return
        click.echo(f"over seeds {', '.join(map(str, reports))}: mean [lowest, highest seed]")
        click.echo(f"  {'target':<10} {'accuracy':>26} {'consistency':>26}")
        for row in summary.to_dict("records"):
            click.echo(
                f"  {row['target']:<10} "
                + "".join(
                    f"{row[k]:>10.3f} [{row[k + '_min']:.3f}, {row[k + '_max']:.3f}]"
                    for k in ("accuracy", "consistency")
                )
            )
        _report_problems(list(reports.values()))
        click.echo(f"reports: {output}/seed-<S>/report.html; summary: {output}/seeds.csv")
        if list_renders:
            for seed, seed_report in reports.items():
                _echo_lines(render_lines(seed_report, f"{output}/seed-{seed}"))
        _exit_if_failed(list(reports.values()))
        return
    report = run_loop(tracks, output, settings=settings, **options)
    if as_json:
        echo_json(report.to_dict())
        _exit_if_failed([report])
        return
    click.echo(f"single-region accuracy ({len(report.single) // 6 if len(report.single) else 0} renders):")
    for row in report.accuracy.to_dict("records"):
        click.echo(
            f"  {row['target']:<10} {row['accuracy']:.3f}  [{row['ci_low']:.3f}, {row['ci_high']:.3f}]"
            + (f"  held-out renders of these descriptors {row['heldout']:.3f}" if _known(row) else "")
        )
    click.echo("multi-region consistency (mean over titles):")
    for row in report.consistency.to_dict("records"):
        click.echo(
            f"  {row['target']:<10} {row['consistency']:.3f}  [{row['ci_low']:.3f}, {row['ci_high']:.3f}]"
        )
    if len(report.losses):
        click.echo("where consistency is lost (share of segments):")
        for row in report.losses.to_dict("records"):
            click.echo(
                f"  {row['target']:<10} reduce {row['lost_in_reduce']:.3f}  "
                f"render {row['lost_in_render']:.3f}"
                + (f" (model weak on the descriptor {row['lost_where_weak']:.3f})" if _known(row) else "")
                + f"  {row['confusions']}"
            )
    _report_problems([report])
    click.echo(f"report: {output}/report.html ({report.seconds:.1f} s)")
    if list_renders:
        _echo_lines(render_lines(report, output))
    _exit_if_failed([report])


def _echo_lines(lines: list[str]) -> None:
    """The render lines under a heading (nothing when there were no renders)."""
    if lines:
        click.echo("renders (file, what it was rendered from → what the classifier heard):")
    for line in lines:
        click.echo(f"  {line}")


def _failures(reports: dict[int, Any]) -> dict[str, list[dict[str, Any]]]:
    """The failed tracks and renders of every seed's run, each with its seed."""
    return {
        "failed_tracks": [{"seed": s, **f} for s, r in reports.items() for f in r.failed_tracks()],
        "failed_renders": [{"seed": s, **f} for s, r in reports.items() for f in r.failed_renders],
    }


def _exit_if_failed(reports: list[Any]) -> None:
    """Exit with status 1 when any track or render failed (they are listed in the report)."""
    tracks = sum(len(r.failed_tracks()) for r in reports)
    renders = sum(len(r.failed_renders) for r in reports)
    if tracks or renders:
        total = sum(len(r.tracks) for r in reports)
        raise BatchFailed(f"{tracks} of {total} track(s) and {renders} render(s) failed; see the report")


def _known(row: dict[str, object]) -> bool:
    """Whether a table row carries the model's held-out comparison (``heldout`` is not NaN)."""
    value = row.get("heldout")
    return isinstance(value, float) and math.isfinite(value)


def _report_problems(reports: list[Any]) -> None:
    """Warnings, failed renders, failed and skipped tracks of every report, on stderr."""
    for report in reports:
        for flag in report.flags:
            click.echo(f"warning: {flag}", err=True)
        for failed in report.failed_renders:
            click.echo(f"failed render {failed['track']}/{failed['name']}: {failed['error']}", err=True)
        for track in report.tracks:
            if not track["ok"]:
                click.echo(f"failed track {track['source']}: {track['error']}", err=True)
            elif track["skipped"]:
                click.echo(f"{track['source']}: {track['skipped']}", err=True)


def _parse_seeds(value: str | None) -> tuple[int, ...] | None:
    """``"0,1,2"`` → ``(0, 1, 2)``; a clear error for anything else."""
    if value is None:
        return None
    try:
        seeds = tuple(int(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a comma-separated list of integers, e.g. 0,1,2") from None
    if not seeds:
        raise click.BadParameter("give at least one seed, e.g. 0,1,2")
    return seeds
