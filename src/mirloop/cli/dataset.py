"""``mirloop dataset generate|features|merge|report``: build a labelled training dataset from the
catalog, re-extract its features with another backend, merge the tables of several, and explore it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from mirloop.cli.common import (
    BatchFailed,
    config_options,
    default_of,
    echo_json,
    json_option,
    open_batch_executor,
    resolve_config,
    scheduler_option,
)
from mirloop.renderer.option_table import RANDOMIZE_MODES


def generate_default(name: str, shown: Any = None) -> dict[str, Any]:
    """The option keywords of a keyword of :func:`mirloop.dataset.generate.generate_dataset`: its
    default is the function's (one source)."""
    return default_of("mirloop.dataset.generate", "generate_dataset", name, *([shown] if shown else []))


@click.group()
def dataset() -> None:
    """Generate and explore training datasets (renders + window features)."""


@dataset.command()
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="Dataset folder.")
@click.option(
    "--per-descriptor",
    type=click.IntRange(1),
    **generate_default("per_descriptor"),
    help="Renders of each descriptor at each duration.",
)
@click.option(
    "--durations",
    **generate_default("durations", lambda seconds: ",".join(f"{s:g}" for s in seconds)),
    metavar="S[,S…]",
    help="Render durations in seconds.",
)
@click.option(
    "--seed", type=int, **generate_default("seed"), help="Master seed (tempo, band, tonic, render)."
)
@click.option(
    "--workers", type=click.IntRange(1), default=None, help="Worker processes (default: all cores)."
)
@scheduler_option
@click.option(
    "--limit-descriptors",
    type=click.IntRange(1),
    default=None,
    help="Only K descriptors, spread over the catalog (for quick runs).",
)
@click.option(
    "--only",
    multiple=True,
    metavar="GLOB",
    help="Only descriptors whose name matches, e.g. 'pop_*' or '*_dark' (repeatable).",
)
@click.option("--audio-format", type=click.Choice(["ogg", "flac"]), **generate_default("audio_format"))
@click.option(
    "--sr",
    type=click.IntRange(8000, 192000),
    **generate_default("sr"),
    help="Render sample rate in Hz (keep the rate of the audio the model will classify: lower rates "
    "alias in the synthesis and shift the spectral features).",
)
@click.option(
    "--store",
    type=click.Choice(["analysis", "render"]),
    **generate_default("store"),
    help="What is kept of each render: the signal the features are computed from (mono, 22050 Hz, a "
    "quarter of the size) or the render itself (stereo at --sr).",
)
@click.option(
    "--randomize",
    type=click.Choice(RANDOMIZE_MODES),
    **generate_default("randomize"),
    help="Domain randomisation of the renders: a seeded mix and master chain (mix), plus a drawn GM "
    "sound font and a lossy-codec round trip (full).",
)
@click.option("--progress/--no-progress", default=True, show_default=True)
@config_options
@json_option
def generate(
    output: str,
    per_descriptor: int,
    durations: str,
    seed: int,
    workers: int | None,
    scheduler: str | None,
    limit_descriptors: int | None,
    only: tuple[str, ...],
    audio_format: str,
    sr: int,
    store: str,
    randomize: str,
    progress: bool,
    config_path: str | None,
    use: tuple[str, ...],
    set_: tuple[str, ...],
    as_json: bool,
) -> None:
    """Render every descriptor and extract window features into OUTPUT (rerun to resume, or
    with a larger --per-descriptor to grow the dataset).

    Exits with status 1 when any render failed (listed on stderr and under "failed" in --json).
    """
    from mirloop.dataset.generate import generate_dataset

    if randomize == "full":
        from mirloop.renderer.soundfont import installed_soundfonts

        fonts, missing = installed_soundfonts()
        click.echo(f"sound fonts drawn from: {', '.join(fonts)}", err=True)
        for font in missing:
            click.echo(f"note: GM font {font.name} not installed (apt-get install {font.package})", err=True)
        from mirloop.renderer.effects.codec import mp3_available

        if not mp3_available():
            click.echo(
                "note: this libsndfile cannot write MP3 (needs ≥ 1.1 with LAME): drawn MP3 round trips "
                "become Ogg Vorbis at the nearest quality, recorded as aug_codec_fallback",
                err=True,
            )
    try:
        seconds = [float(d) for d in durations.split(",") if d.strip()]
    except ValueError as exc:
        raise click.BadParameter(f"expected seconds separated by commas, got {durations!r}") from exc
    executor = open_batch_executor(scheduler, workers=workers)
    with executor:
        report = generate_dataset(
            output,
            per_descriptor=per_descriptor,
            durations=seconds,
            seed=seed,
            workers=workers,
            limit_descriptors=limit_descriptors,
            only=only,
            audio_format=audio_format,
            sr=sr,
            store=store,
            randomize=randomize,
            config=resolve_config(config_path, use, set_),
            progress=progress,
            executor=executor,
        )
    if as_json:
        echo_json(report.to_dict())
    else:
        click.echo(
            f"{report.made} renders made, {report.already_done} already done, {len(report.failures)} failed "
            f"of {report.planned} planned ({report.workers} workers)"
        )
        if report.made:
            click.echo(
                f"{report.renders_per_second:.3f} renders/s, {report.real_time_factor:.1f}× real time "
                f"(render {report.render_seconds:.0f} s + features {report.feature_seconds:.0f} s of CPU)"
            )
        if report.collected:
            click.echo(f"wrote {report.root / 'features.parquet'} and {report.root / 'manifest.parquet'}")
    _fail_on(report.failures)


@dataset.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False), help="New dataset folder.")
def merge(sources: tuple[str, ...], output: str) -> None:
    """Merge the window tables of SOURCES (datasets of one catalog and feature backend) into one
    dataset to train on; render ids are prefixed with their source folder's name."""
    from mirloop.dataset.merge import merge_datasets

    merged = merge_datasets(sources, output)
    for folder, prefix, renders, windows in merged.sources:
        click.echo(f"{folder}: {renders} renders, {windows} windows (ids {prefix}/…)")
    click.echo(f"wrote {merged.output}: {merged.renders} renders, {merged.windows} windows; "
               f"train with `mirloop train {merged.output} -o MODEL`")


@dataset.command()
@click.argument("data", type=click.Path(exists=True, file_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for the figures and index.html (default: DATA/report).",
)
def report(data: str, output: str | None) -> None:
    """Draw exploratory figures of DATA (PNGs and one HTML page)."""
    from mirloop.dataset.report import write_report

    page = write_report(data, output)
    click.echo(f"wrote {page}")


@dataset.command()
@click.argument("data", type=click.Path(exists=True, file_okay=False))
@click.option(
    "-o", "--output", required=True, type=click.Path(file_okay=False), help="New dataset folder."
)
@click.option(
    "--workers", type=click.IntRange(1), default=None, help="Worker processes (default: all cores)."
)
@click.option("--progress/--no-progress", default=True, show_default=True)
@config_options
@json_option
def features(
    data: str,
    output: str,
    workers: int | None,
    progress: bool,
    config_path: str | None,
    use: tuple[str, ...],
    set_: tuple[str, ...],
    as_json: bool,
) -> None:
    """Re-extract the window features of DATA's renders with the configured feature backend
    (e.g. --use features=essentia) into OUTPUT: same renders (linked, not copied), manifest and
    labels; `mirloop train OUTPUT` then trains on the new columns (rerun to resume)."""
    from mirloop.dataset.refeature import refeature_dataset

    report = refeature_dataset(
        data, output, config=resolve_config(config_path, use, set_), workers=workers, progress=progress
    )
    if as_json:
        echo_json(report.to_dict())
    else:
        click.echo(
            f"{report.made} renders re-extracted, {report.already_done} already done, "
            f"{len(report.failures)} failed of {report.planned} ({report.workers} workers)"
        )
        if report.made and report.wall_seconds > 0:
            click.echo(f"{report.renders_per_second:.2f} renders/s, {report.real_time_factor:.1f}× real time")
        if report.collected:
            click.echo(f"wrote {report.root / 'features.parquet'} and {report.root / 'manifest.parquet'}")
    _fail_on(report.failures)


def _fail_on(failures: Sequence[Any]) -> None:
    """Name the first failed renders and exit 1 (the others were made; a rerun retries them)."""
    if not failures:
        return
    for failure in failures[:10]:
        click.echo(f"failed: {failure.render_id}: {failure.error}", err=True)
    raise BatchFailed(f"{len(failures)} render(s) failed; rerun the same command to retry them")
