"""The module named by the ``mirloop`` entry point: registers the madmom backends.

The backend modules import :mod:`madmom` only inside their methods.
"""

from __future__ import annotations

from mirloop import hookimpl
from mirloop.hookspecs import Register


@hookimpl
def register_inducers(register: Register) -> None:
    from mirloop_madmom.key import MadmomKey
    from mirloop_madmom.tempo import MadmomTempo

    register(MadmomTempo)
    register(MadmomKey)
