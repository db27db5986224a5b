"""Smoke tests on real recordings (../shared/data/real-dev): every backend returns plausible output."""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.backends.librosa.features import LibrosaFeatures
from mirloop.backends.librosa.key import LibrosaKey
from mirloop.backends.librosa.laplacian import LaplacianSegmenter
from mirloop.backends.librosa.tempo import LibrosaTempo
from mirloop.signal import ANALYSIS_SR, TrackContext
from mirloop.types import Audio

from .conftest import REAL_DEV

CLIPS = ("hedgewars__rock.ogg", "flare__battle_theme.ogg", "enigma__enigma_rag.ogg")


def load(name: str) -> Audio:
    import soundfile
    import soxr

    path = REAL_DEV / name
    if not path.exists():
        pytest.skip(f"real-dev clip {path} is not available")
    samples, sr = soundfile.read(path, dtype="float32", always_2d=True)
    mono = samples.mean(axis=1)
    if sr != ANALYSIS_SR:
        mono = soxr.resample(mono, sr, ANALYSIS_SR)
    return Audio(mono.astype(np.float32), ANALYSIS_SR, source=name)


@pytest.mark.parametrize("name", CLIPS)
def test_every_stage_gives_plausible_output_on_a_real_clip(name: str) -> None:
    ctx = TrackContext(load(name))
    features = LibrosaFeatures().extract(ctx)
    assert features.values.shape == (ctx.grid.n_windows, 21)
    assert np.all(np.isfinite(features.values))

    tempo = LibrosaTempo().estimate_tempo(ctx)
    assert 50.0 <= tempo.bpm <= 220.0
    assert 0.0 <= tempo.confidence <= 1.0
    assert np.all((tempo.window_bpm >= 40.0) & (tempo.window_bpm <= 240.0))
    assert len(tempo.beats) > 10

    key = LibrosaKey().estimate_key(ctx)
    assert 0.0 <= key.confidence <= 1.0
    assert len(key.window_keys) == ctx.grid.n_windows

    segmentation = LaplacianSegmenter().segment(ctx)
    assert segmentation.segments[0].start == 0.0
    assert segmentation.segments[-1].end == pytest.approx(ctx.duration)
    assert 1 <= len(segmentation.segments) <= 10
