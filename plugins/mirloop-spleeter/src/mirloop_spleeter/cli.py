"""``mirloop-spleeter``: create the spleeter environment, check a model, train a tiny model."""

from __future__ import annotations

import sys

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Manage the isolated spleeter environment used by mirloop's ``spleeter`` separator."""


@cli.command()
@click.option("--venv", default=None, help="Where to create it (default: $MIRLOOP_SPLEETER_VENV or "
                                           "~/.cache/mirloop/spleeter-venv).")
@click.option("--python", default=None,
              help="Interpreter that creates it (Python 3.8–3.11; default: this one).")
def setup(venv: str | None, python: str | None) -> None:
    """Create the spleeter virtualenv and install spleeter 2.4.2 into it (idempotent)."""
    from mirloop_spleeter.environment import setup as run_setup

    click.echo(f"spleeter environment ready: {run_setup(venv, python=python)}")


@cli.command()
@click.argument("model_dir", type=click.Path(file_okay=False))
def check(model_dir: str) -> None:
    """Check that MODEL_DIR holds a complete spleeter checkpoint."""
    from mirloop_spleeter.checkpoint import check_model_dir

    click.echo(f"complete checkpoint: {check_model_dir(model_dir)}")


@cli.command("train-tiny")
@click.argument("model_dir", type=click.Path(file_okay=False))
@click.option("--steps", type=click.IntRange(1), default=10, show_default=True, help="Training steps.")
@click.option("--venv", default=None, help="The spleeter environment (default as for setup).")
def train_tiny(model_dir: str, steps: int, venv: str | None) -> None:
    """Train a tiny 2-stem model on generated stems into MODEL_DIR (for offline smoke tests)."""
    from mirloop_spleeter.tiny_model import train_tiny_model

    click.echo(f"tiny model trained: {train_tiny_model(model_dir, venv=venv, steps=steps)}")


def main(argv: list[str] | None = None) -> int:
    from mirloop.cli.main import run_cli

    return run_cli(cli, argv, "mirloop-spleeter")


if __name__ == "__main__":
    sys.exit(main())
