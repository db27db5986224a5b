"""The module named by the ``mirloop`` entry point: registers the tempo-cnn backends."""

from __future__ import annotations

from mirloop import hookimpl
from mirloop.hookspecs import Register


@hookimpl
def register_inducers(register: Register) -> None:
    from mirloop_tempocnn.grid import TempoCnnGridTempo
    from mirloop_tempocnn.tempo import TempoCnnTempo

    register(TempoCnnTempo)
    register(TempoCnnGridTempo)
