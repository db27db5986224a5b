"""``mirloop-musicnn``: export the musicnn weights to NumPy, check them, show where they are."""

from __future__ import annotations

import sys

import click
from mirloop.errors import MirloopError


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


def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="mirloop-musicnn", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except MirloopError as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
