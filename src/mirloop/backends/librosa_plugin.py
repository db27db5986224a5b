"""Built-in analysis backends on librosa, numpy/scipy and scikit-learn.

Registered through the ``mirloop`` entry-point group like any third-party plugin. The
backend modules import librosa only inside their methods.
"""

from __future__ import annotations

from mirloop.hookspecs import Register
from mirloop.plugins import hookimpl


@hookimpl
def register_feature_extractors(register: Register) -> None:
    from mirloop.backends.librosa.features import LibrosaFeatures

    register(LibrosaFeatures)


@hookimpl
def register_inducers(register: Register) -> None:
    from mirloop.backends.librosa.key import LibrosaKey
    from mirloop.backends.librosa.tempo import LibrosaTempo

    register(LibrosaTempo)
    register(LibrosaKey)


@hookimpl
def register_segmenters(register: Register) -> None:
    from mirloop.backends.librosa.laplacian import LaplacianSegmenter

    register(LaplacianSegmenter)
