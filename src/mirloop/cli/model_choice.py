"""Which trained model the commands that classify use: ``--model``, else the configuration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def model_option(extra: str = "") -> Callable[[F], F]:
    """``--model DIR`` of the commands that classify with a trained model (see :func:`model_path`)."""
    return click.option(
        "--model", "model_dir", type=click.Path(exists=True, file_okay=False), default=None,
        help="Model directory written by `mirloop train` (default: classifier.model, $MIRLOOP_MODEL, "
        f"else the MLP model shipped with mirloop{extra}).",
    )


def model_path(given: str | None, config: Any) -> str:
    """``--model``, else the configured ``classifier.model`` (``$MIRLOOP_MODEL`` among its layers,
    also while the classifier stage is off), else the shipped model."""
    from mirloop.classify.backend import configured_model
    from mirloop.config import option_variable

    return configured_model(
        given or config.options("classifier").get("model") or option_variable("classifier", "model")
    )
