"""The former name of :mod:`mirloop.types` (the value types), kept so that plugins written
against it still import: ``mirloop.model`` and ``mirloop.model.<module>`` are the same module
objects as ``mirloop.types`` and ``mirloop.types.<module>``. Importing it warns
(:class:`DeprecationWarning`); import :mod:`mirloop.types` instead."""

from __future__ import annotations

import importlib
import sys
import warnings

from mirloop.types import *  # noqa: F403
from mirloop.types import __all__  # noqa: F401

#: The submodules of :mod:`mirloop.types`, each also reachable under its former name.
SUBMODULES = (
    "analysis",
    "audio",
    "damage",
    "descriptor",
    "estimates",
    "features",
    "grid",
    "prediction",
    "render",
    "spelling",
    "stage_output",
)

for _name in SUBMODULES:
    sys.modules[f"{__name__}.{_name}"] = globals()[_name] = importlib.import_module(f"mirloop.types.{_name}")

warnings.warn(
    "mirloop.model is now mirloop.types (the value types); import from mirloop.types",
    DeprecationWarning,
    stacklevel=2,
)
