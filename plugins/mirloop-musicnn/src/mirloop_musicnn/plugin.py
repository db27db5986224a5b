"""The module named by the ``mirloop`` entry point: the musicnn features, tagger and fused classifier."""

from __future__ import annotations

from mirloop import hookimpl
from mirloop.hookspecs import Register


@hookimpl
def register_feature_extractors(register: Register) -> None:
    from mirloop_musicnn.features import MusicnnFeatures

    register(MusicnnFeatures)


@hookimpl
def register_classifiers(register: Register) -> None:
    from mirloop_musicnn.classifier import MusicnnTagger
    from mirloop_musicnn.fused import MusicnnFused

    register(MusicnnTagger)
    register(MusicnnFused)
