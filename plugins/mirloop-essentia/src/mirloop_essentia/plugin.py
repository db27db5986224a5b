"""The module named by the ``mirloop`` entry point: registers the Essentia backends.

Backend modules import :mod:`essentia` only inside their methods, so building the registry
stays cheap.
"""

from __future__ import annotations

from mirloop import hookimpl
from mirloop.hookspecs import Register


@hookimpl
def register_feature_extractors(register: Register) -> None:
    from mirloop_essentia.features import EssentiaFeatures

    register(EssentiaFeatures)


@hookimpl
def register_inducers(register: Register) -> None:
    from mirloop_essentia.key import EssentiaKey
    from mirloop_essentia.tempo import EssentiaTempo

    register(EssentiaTempo)
    register(EssentiaKey)


@hookimpl
def register_segmenters(register: Register) -> None:
    from mirloop_essentia.segmenter import EssentiaSegmenter

    register(EssentiaSegmenter)
