"""Built-in backends that are not analysis: separators, renderer, classifiers.

Registered through the ``mirloop`` entry-point group like any third-party plugin.
"""

from __future__ import annotations

from mirloop.hookspecs import Register
from mirloop.plugins import hookimpl


@hookimpl
def register_renderers(register: Register) -> None:
    from mirloop.amper.backend import AmperRenderer
    from mirloop.renderer.backend import MirloopRenderer

    register(MirloopRenderer)
    register(AmperRenderer)


@hookimpl
def register_classifiers(register: Register) -> None:
    from mirloop.classify.backend import KnnClassifier, MlpClassifier

    register(KnnClassifier)
    register(MlpClassifier)


@hookimpl
def register_separators(register: Register) -> None:
    from mirloop.separation.backends import PassThroughSeparator, RepetSeparator

    register(RepetSeparator)
    register(PassThroughSeparator)
