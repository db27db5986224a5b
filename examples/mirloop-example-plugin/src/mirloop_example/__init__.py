"""An example mirloop plugin: the ``spectral-flux`` tempo inducer."""

from mirloop_example.spectral_flux import SpectralFluxTempo

__all__ = ["SpectralFluxTempo"]
