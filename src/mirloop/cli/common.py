"""Options shared by commands: configuration overrides, JSON output and the batch exit status."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


class BatchFailed(click.ClickException):
    """Some items of a batch failed while the others finished: exit status 1.

    Raised after the report (text or ``--json``), which lists every failure; a run that cannot
    start at all (bad configuration, refused model, bad usage) exits with status 2 instead.
    """

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.message}", err=True)


class BatchInterrupted(click.ClickException):
    """Ctrl-C stopped a batch after the report of what finished was printed: exit status 130
    (128 + SIGINT, as a shell reports an interrupted command)."""

    exit_code = 130

    def show(self, file: Any = None) -> None:
        click.echo(f"interrupted: {self.message}", err=True)


class DefaultFrom(click.Option):
    """An option whose default is read, when needed, from where the library defines it
    (``default_from``, see :func:`parameter_default`), so a command repeats no default and
    listing the commands imports nothing. ``--help`` shows the value."""

    def __init__(self, *args: Any, default_from: Callable[[], Any], **kwargs: Any) -> None:
        kwargs.update(default=default_from, show_default=True)
        super().__init__(*args, **kwargs)

    def get_default(self, ctx: click.Context, call: bool = True) -> Any:
        return super().get_default(ctx, call=True)  # the value itself in --help, not "(dynamic)"


def default_of(
    module: str, owner: str, name: str, shown: Callable[[Any], Any] = lambda value: value
) -> dict[str, Any]:
    """``click.option`` keywords for an option whose default is ``name``'s in ``module.owner``."""
    return {"cls": DefaultFrom, "default_from": parameter_default(module, owner, name, shown)}


def parameter_default(
    module: str, owner: str, name: str, shown: Callable[[Any], Any] = lambda value: value
) -> Callable[[], Any]:
    """Reads the default of ``name`` in ``module.owner`` (an attrs class's field or a function's
    keyword), as ``shown`` gives it to the command line."""

    def read() -> Any:
        import inspect
        from importlib import import_module

        import attrs

        target = getattr(import_module(module), owner)
        if attrs.has(target):
            return shown(getattr(attrs.fields(target), name).default)
        return shown(inspect.signature(target).parameters[name].default)

    return read


def config_options(func: F) -> F:
    """``--config FILE``, ``--use stage=name`` and ``--set stage.option=value`` (repeatable)."""
    func = click.option("--set", "set_", multiple=True, metavar="STAGE.OPTION=VALUE",
                        help="Set a backend option, e.g. tempo.max_bpm=200 (repeatable).")(func)
    func = click.option("--use", multiple=True, metavar="STAGE=BACKEND",
                        help="Choose a backend for a stage, e.g. tempo=librosa (repeatable).")(func)
    func = click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None,
                        help="A mirloop.toml file to apply on top of the discovered configuration.")(func)
    return func


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")(func)


def resolve_config(config_path: str | None, use: tuple[str, ...], set_: tuple[str, ...]) -> Any:
    from mirloop.config import load_config

    return load_config(config_path, use=use, set=set_)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=_default))


def _default(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def scheduler_option(func: F) -> F:
    """``--scheduler tcp://HOST:PORT``: run the tasks on a Dask cluster instead of local processes."""
    return click.option(
        "--scheduler", default=None, metavar="tcp://HOST:PORT",
        help="Run the tasks on this Dask scheduler's workers (or local:N, N Dask workers here); "
        "default MIRLOOP_SCHEDULER, then [executor] scheduler in the configuration, else local "
        "processes. Outputs must be on storage every worker sees.",
    )(func)


def open_batch_executor(scheduler: str | None, *, workers: int | None, start: bool = True) -> Any:
    """The executor of a batch command (:func:`mirloop.executors.open_executor`); for a Dask
    cluster, where the tasks go and the dashboard link are printed on stderr. ``start`` starts
    local workers at once, while the command plans its batch; without it a single task runs in
    the command's own process (with its progress bars) and workers start only for more."""
    from mirloop.executors import open_executor, resolve_scheduler

    executor = open_executor(resolve_scheduler(scheduler), workers=workers)
    if start:
        executor.start()
    if executor.remote:
        click.echo(f"running on {executor.describe()}", err=True)
    return executor
