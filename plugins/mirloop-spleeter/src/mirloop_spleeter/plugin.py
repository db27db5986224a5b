"""The module named by the ``mirloop`` entry point: registers the spleeter separator."""

from __future__ import annotations

from mirloop import hookimpl
from mirloop.hookspecs import Register


@hookimpl
def register_separators(register: Register) -> None:
    from mirloop_spleeter.separator import SpleeterSeparator

    register(SpleeterSeparator)
