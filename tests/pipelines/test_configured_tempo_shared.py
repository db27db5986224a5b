"""The configured tempo backend's answer is the track's tempo for every stage that reads one.

The feature table's ``tempo`` column and the Laplacian segmenter's beats come from the tempo
stage the configuration names (``--use tempo=NAME``), not from a tempo the features or the
segmenter estimate on their own. The toy tempo backend answers a constant tempo with beats on
its grid, far from what the built-in backend hears in the generated track, so the columns and
boundaries show whose tempo they read.
"""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.pipelines.analyze import AnalysisRun, analyze_samples, resolve_analysis_config
from mirloop.testing.signals import spliced_sections
from mirloop.types import Audio

pytestmark = pytest.mark.usefixtures("toy_registry")

#: The toy tempo backend's answer: a tempo no backend would hear in the 120-BPM rock beat.
TOY_BPM = 77.0


@pytest.fixture(scope="module")
def aba_audio() -> Audio:
    """A / B / A sections of 12 s: rock beat with chords, a pad, the rock beat again."""
    return spliced_sections("ABA", section_seconds=12.0).audio


def analysed(audio: Audio, tempo: dict[str, object]) -> AnalysisRun:
    config = {"features": "librosa", "tempo": tempo, "key": "toy", "segmenter": "laplacian"}
    return analyze_samples(audio, config=resolve_analysis_config(config))


def test_the_feature_tables_tempo_column_is_the_tempo_stages(aba_audio: Audio) -> None:
    run = analysed(aba_audio, {"backend": "toy", "bpm": TOY_BPM})
    analysis = run.analysis

    assert analysis.features is not None and analysis.tempo is not None
    np.testing.assert_allclose(analysis.features.column("tempo"), analysis.tempo.window_bpm, rtol=1e-6)
    assert set(analysis.features.column("tempo")) == {TOY_BPM}


def test_the_segmenter_cuts_on_the_tempo_stages_beats(aba_audio: Audio) -> None:
    run = analysed(aba_audio, {"backend": "toy", "bpm": TOY_BPM})
    segmentation, tempo = run.analysis.segmentation, run.analysis.tempo

    assert segmentation is not None and tempo is not None
    np.testing.assert_array_equal(run.context.beats, tempo.beats)
    inner = run.context.beat_units.bounds[1:-1]
    assert np.isin(inner, tempo.beats).all()  # the units the segmenter clusters are the toy beats
    assert len(segmentation.segments) > 1
    assert np.isin(segmentation.boundaries, tempo.beats).all()


def test_the_built_in_tempo_with_its_own_options_reaches_the_features_too(aba_audio: Audio) -> None:
    # a prior centred on 60 BPM moves the built-in backend's answer off its default one
    run = analysed(aba_audio, {"backend": "librosa", "prior_center": 60.0, "prior_width": 0.3})
    analysis, default = run.analysis, run.context.default_tempo

    assert analysis.features is not None and analysis.tempo is not None
    assert not np.allclose(analysis.tempo.window_bpm, default.window_bpm)
    np.testing.assert_allclose(analysis.features.column("tempo"), analysis.tempo.window_bpm, rtol=1e-6)
