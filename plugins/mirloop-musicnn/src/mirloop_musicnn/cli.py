"""``mirloop-musicnn``: export the musicnn weights to NumPy, check them, show where they are."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mirloop_musicnn.weights import MODELS


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Manage the NumPy weights of mirloop's ``musicnn`` feature extractor and classifier."""


@cli.command()
@click.option("--weights", default=None,
              help="Folder for the exported weights (default: $MIRLOOP_MUSICNN_WEIGHTS or "
                   "~/.cache/mirloop/musicnn-weights).")
@click.option("--venv", default=None,
              help="The TensorFlow export environment (default: $MIRLOOP_MUSICNN_VENV or "
                   "~/.cache/mirloop/musicnn-venv).")
@click.option("--python", default=None, help="Interpreter that creates the environment (default: this one).")
@click.option("--force", is_flag=True, help="Export again even when valid weights are there.")
@click.option("--remove-venv", is_flag=True, help="Delete the TensorFlow environment after the export "
                                                  "(about 1.3 GB; run time does not need it).")
def setup(weights: str | None, venv: str | None, python: str | None, force: bool, remove_venv: bool) -> None:
    """Export musicnn's MTT and MSD models to NumPy once (idempotent; needs PyPI the first time)."""
    import shutil

    from mirloop_musicnn.environment import default_venv
    from mirloop_musicnn.export import export_weights

    folder = export_weights(weights, venv=venv, python=python, force=force)
    if remove_venv:
        shutil.rmtree(venv or default_venv(), ignore_errors=True)
    click.echo(f"musicnn weights ready: {folder}")


@cli.command()
@click.option("--weights", default=None, help="Folder of the exported weights (default as for setup).")
def check(weights: str | None) -> None:
    """Check the exported weights and the NumPy network against TensorFlow's reference outputs."""
    import numpy as np

    from mirloop_musicnn.weights import MODELS, load_model, load_reference

    for name in MODELS:
        model = load_model(name, weights)
        output = model(load_reference(weights, model.sidecar))
        reference = model.sidecar["reference"]
        tags = float(np.max(np.abs(output.tags - np.asarray(reference["tags"]))))
        embedding = float(np.max(np.abs(output.penultimate - np.asarray(reference["penultimate"]))))
        click.echo(f"{name}: {model.path} (musicnn {model.sidecar['musicnn_version']}, exported with "
                   f"TensorFlow {model.sidecar['tensorflow_version']}); largest difference from TensorFlow: "
                   f"tags {tags:.2g}, penultimate {embedding:.2g}")


@cli.command()
@click.argument("manifest", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The prior file to write (TOML), e.g. for a genre table's `prior = \"FILE\"`.")
@click.option("--kinds", default="recording", show_default=True,
              help="Comma-separated manifest kinds to read (recording, module-render, score-render).")
@click.option("--with-labelled", is_flag=True,
              help="Read the labelled rows too (by default only unlabelled rows: the prior then never "
                   "sees the audio that the evaluation scores).")
@click.option("--root", default=None, help="Folder the manifest's paths are relative to (default: its own).")
@click.option("--weights", default=None, help="Folder of the exported weights (default as for setup).")
@click.option("--models", default=",".join(MODELS), show_default=True,
              help="Comma-separated models whose tags are measured (a section of the file each).")
def prior(manifest: str, output: str, kinds: str, with_labelled: bool, root: str | None,
          weights: str | None, models: str) -> None:
    """Measure the tag prior of the genre table's lift rule on the recordings of a MANIFEST.

    Each recording's middle minute counts once; only audio is read, never a label.
    """
    from mirloop.evaluation.coarse_genres import load_coarse_genres
    from mirloop.evaluation.real_manifest import read_manifest

    from mirloop_musicnn.tag_prior import measure_tag_prior, write_tag_prior
    from mirloop_musicnn.tags import checked_models, model_names

    measured_models = checked_models(model_names(models), what="--models")
    wanted = {k.strip() for k in kinds.split(",") if k.strip()}
    read = read_manifest(manifest, coarse=load_coarse_genres(), root=root)
    tracks = [t for t in read.tracks if t.kind in wanted and (with_labelled or not t.coarse_label)]
    if not tracks:
        which = "" if with_labelled else "unlabelled "
        raise click.ClickException(f"{manifest} lists no {which}rows of kind {sorted(wanted)}")
    failed: list[str] = []

    def progress(i: int, n: int, path: str, error: str | None) -> None:
        if error:
            failed.append(path)
            click.echo(f"[{i}/{n}] skipped: {error}", err=True)
        elif i % 10 == 0 or i == n:
            click.echo(f"[{i}/{n}] {path}", err=True)

    kinds_text = ", ".join(sorted(wanted))
    source = (f"{read.path.name}: {'all' if with_labelled else 'the unlabelled'} rows of kind {kinds_text}, "
              "the middle minute of each")
    measured = measure_tag_prior([t.audio for t in tracks], source=source, weights=weights,
                                 models=measured_models, progress=progress)
    write_tag_prior(measured, output)
    click.echo(f"tag prior of {measured.tracks} recordings written to {output}"
               + (f" ({len(failed)} unreadable, skipped)" if failed else ""))


@cli.command()
@click.argument("renders", type=click.Path(file_okay=False))
@click.argument("manifest", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The detector file to write (TOML), e.g. for the fused classifier's `detector` option.")
@click.option("--root", default=None, help="Folder the manifest's paths are relative to (default: its own).")
@click.option("--weights", default=None, help="Folder of the exported weights (default as for setup).")
def detector(renders: str, manifest: str, output: str, root: str | None, weights: str | None) -> None:
    """Fit the fused classifier's render detector: RENDERS (a dataset's musicnn features, from
    `mirloop dataset features DATA/ -o RENDERS/ --use features=musicnn`) against the unlabelled
    recordings of MANIFEST (the middle minute of each). Only audio is read, never a label."""
    from mirloop.evaluation.coarse_genres import load_coarse_genres
    from mirloop.evaluation.real_manifest import read_manifest

    from mirloop_musicnn.render_detector import (
        fit_render_detector,
        recording_means,
        render_means,
        write_render_detector,
    )

    rendered = render_means(renders)
    read = read_manifest(manifest, coarse=load_coarse_genres(), root=root)
    tracks = [t for t in read.tracks if t.kind == "recording" and not t.coarse_label]
    if not tracks:
        raise click.ClickException(f"{manifest} lists no unlabelled rows of kind recording")

    def progress(i: int, n: int, path: str, error: str | None) -> None:
        if error:
            click.echo(f"[{i}/{n}] skipped: {error}", err=True)
        elif i % 10 == 0 or i == n:
            click.echo(f"[{i}/{n}] {path}", err=True)

    recorded = recording_means([t.audio for t in tracks], weights=weights, progress=progress)
    source = (f"{len(rendered)} renders ({Path(renders).name}/features.parquet) against {len(recorded)} "
              f"unlabelled recordings ({read.path.name}, the middle minute of each)")
    write_render_detector(fit_render_detector(rendered, recorded, source=source), output)
    click.echo(f"render detector written to {output}: {source}")


def main(argv: list[str] | None = None) -> int:
    from mirloop.cli.main import run_cli

    return run_cli(cli, argv, "mirloop-musicnn")


if __name__ == "__main__":
    sys.exit(main())
