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


def test_the_tempo_column_is_the_configured_tempo_stages_unless_a_method_is_named() -> None:
    import numpy as np
    from mirloop.signal.context import TrackContext
    from mirloop.testing.signals import spliced_sections
    from mirloop.types import TempoEstimate

    audio = spliced_sections("AB", section_seconds=12.0).audio
    ctx = TrackContext(audio)
    stage = TempoEstimate(bpm=77.0, confidence=1.0, window_bpm=np.full(len(ctx.grid.starts), 77.0))
    ctx.use_tempo(stage)

    by_stage = EssentiaFeatures().extract(ctx).column("tempo")
    by_percival = EssentiaFeatures(tempo_method="percival").extract(ctx).column("tempo")

    assert set(by_stage) == {77.0}  # the default reads the tempo stage's answer
    assert not np.allclose(by_percival, 77.0)  # a named method is Essentia's own estimate
