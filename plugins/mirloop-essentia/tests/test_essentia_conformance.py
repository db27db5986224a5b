"""Every Essentia backend keeps its stage's contract (mirloop.testing)."""

from __future__ import annotations

import pytest
from mirloop.plugins import build_registry
from mirloop.testing import check_backend

from mirloop_essentia import EssentiaFeatures, EssentiaKey, EssentiaSegmenter, EssentiaTempo


@pytest.mark.parametrize(
    ("stage", "backend", "options"),
    [
        ("features", EssentiaFeatures, {"tempo_method": "percival"}),
        ("tempo", EssentiaTempo, {"method": "degara"}),
        ("tempo", EssentiaTempo, {"method": "percival"}),
        ("key", EssentiaKey, {"profile": "edma"}),
        ("segmenter", EssentiaSegmenter, {}),
    ],
)
def test_backend_conforms(stage: str, backend: type, options: dict[str, str]) -> None:
    check_backend(stage, backend, **options)


def test_the_entry_point_registers_all_four_backends() -> None:
    registry = build_registry()
    for stage, cls in [("features", EssentiaFeatures), ("tempo", EssentiaTempo), ("key", EssentiaKey),
                       ("segmenter", EssentiaSegmenter)]:
        info = registry.get(stage, "essentia")
        assert info.cls is cls
        assert info.dist == "mirloop-essentia"


def test_the_features_are_the_21_mirloop_columns() -> None:
    from mirloop.types import FEATURE_NAMES

    features = check_backend("features", EssentiaFeatures, tempo_method="percival")
    assert features.names == FEATURE_NAMES
    assert features.backend == "essentia"


def test_the_features_are_assembled_by_mirloops_own_assembly() -> None:
    from mirloop.backends import feature_columns

    from mirloop_essentia import features

    assert features.assemble_features is feature_columns.assemble_features
