"""Options shared by commands: configuration overrides and JSON output."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


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
