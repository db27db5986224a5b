"""Testing tools for mirloop and its plugins.

:func:`check_backend` runs a backend on generated audio and checks that what it returns keeps
its stage's contract; plugin authors call it from their own test suites::

    from mirloop.testing import check_backend

    def test_conforms():
        check_backend("tempo", MyTempo)

:mod:`mirloop.testing.signals` generates test audio with known properties.
"""

from mirloop.testing.conformance import (
    CHECKS,
    ConformanceError,
    check_backend,
    check_class,
    check_classifier,
    check_features,
    check_key,
    check_renderer,
    check_segmenter,
    check_separator,
    check_tempo,
)

__all__ = [
    "CHECKS",
    "ConformanceError",
    "check_backend",
    "check_class",
    "check_classifier",
    "check_features",
    "check_key",
    "check_renderer",
    "check_segmenter",
    "check_separator",
    "check_tempo",
]
