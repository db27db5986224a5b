"""Source code of throwaway plugins used by the plugin-core tests."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

InstallPlugin = Callable[..., Path]

#: A complete, valid plugin module: a ``fixed`` tempo backend with one option.
FIXED_TEMPO_PLUGIN = '''
import numpy as np

from mirloop import hookimpl
from mirloop.types import TempoEstimate
from mirloop.stages import Backend, Option


class FixedTempo(Backend):
    """Reports the same tempo everywhere."""

    name = "fixed"
    stage = "tempo"
    summary = "a constant tempo"
    options = {
        "bpm": Option(120.0, float, "tempo to report (BPM)"),
        "feel": Option("straight", str, "rhythmic feel", choices=("straight", "swing")),
    }

    def estimate_tempo(self, ctx):
        n = ctx.grid.n_windows
        return TempoEstimate(self.opts["bpm"], 1.0, np.full(n, self.opts["bpm"]))


@hookimpl
def register_inducers(register):
    register(FixedTempo)
'''


def plugin_source(body: str) -> str:
    """A plugin module: the usual imports followed by ``body`` (dedented)."""
    header = "from mirloop import hookimpl\nfrom mirloop.stages import Backend, Option\n\n"
    return header + textwrap.dedent(body)
