"""The plugin module named by the ``mirloop`` entry point: it registers the backends."""

from __future__ import annotations

from mirloop import hookimpl
from mirloop.hookspecs import Register


@hookimpl
def register_inducers(register: Register) -> None:
    """Called once when mirloop builds its registry; import the backend lazily here."""
    from mirloop_example.spectral_flux import SpectralFluxTempo

    register(SpectralFluxTempo)
