"""The ``mirloop`` command: a group whose subcommands load only when used."""

from __future__ import annotations

import contextlib
import sys
import warnings
from collections.abc import Iterator
from importlib import import_module
from typing import Any

import click

from mirloop.errors import MirloopError

#: command name -> "module:attribute" of its click command; each lives in its own file.
COMMANDS: dict[str, str] = {
    "adapt": "mirloop.cli.adapt:adapt",
    "analyze": "mirloop.cli.analyze:analyze",
    "plugins": "mirloop.cli.plugins:plugins",
    "config": "mirloop.cli.config:config",
    "render": "mirloop.cli.render:render",
    "descriptors": "mirloop.cli.descriptors:descriptors",
    "train": "mirloop.cli.train:train",
    "classify": "mirloop.cli.classify:classify",
    "evaluate": "mirloop.cli.evaluate:evaluate",
    "evaluate-backends": "mirloop.cli.evaluate_backends:evaluate_backends",
    "evaluate-real": "mirloop.cli.evaluate_real:evaluate_real",
    "dataset": "mirloop.cli.dataset:dataset",
    "loop": "mirloop.cli.loop:loop",
    "serve": "mirloop.cli.serve:serve",
    "corpus": "mirloop.cli.corpus:corpus",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return super().get_command(ctx, name)
        module, _, attr = target.partition(":")
        command = getattr(import_module(module), attr)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mirloop")
def cli() -> None:
    """mirloop — analyze music, render music from descriptors, and close the loop between them."""


def run_cli(group: click.Command, argv: list[str] | None, prog_name: str) -> int:
    """Run a click command as mirloop's commands run: a MirloopError prints as one clear line and
    gives status 2, Ctrl-C 130, a usage error click's own status (plugins' commands use it too)."""
    try:
        with _plain_warnings():
            group.main(args=argv, prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code or 0)
    except MirloopError as exc:
        click.echo(f"error: {exc}", err=True)
        return 2
    return 0


@contextlib.contextmanager
def _plain_warnings() -> Iterator[None]:
    """mirloop's own warnings (a silent or damaged track, …) as one ``warning: …`` line on stderr,
    not Python's ``file:line: Category: …`` with a line of source; other warnings as Python shows them."""
    shown = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if category.__module__.startswith("mirloop"):
            click.echo(f"warning: {message}", err=True)
        else:
            shown(message, category, *args, **kwargs)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = shown


def main(argv: list[str] | None = None) -> int:
    """Entry point: runs the CLI; a MirloopError prints as one clear line and exits with status 2."""
    return run_cli(cli, argv, "mirloop")


if __name__ == "__main__":
    sys.exit(main())
