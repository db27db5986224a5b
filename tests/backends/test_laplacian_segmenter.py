"""LaplacianSegmenter: boundaries of spliced sections, section types and labelling convention."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mirloop.backends.librosa.laplacian import LaplacianSegmenter
from mirloop.signal import TrackContext
from mirloop.testing.signals import SplicedTrack, cadence, drum_pattern, noise, silence, spliced_sections
from mirloop.types import Segmentation


def assert_covers(segmentation: Segmentation, duration: float) -> None:
    segments = segmentation.segments
    assert segments[0].start == 0.0
    assert segments[-1].end == pytest.approx(duration)
    for before, after in itertools.pairwise(segments):
        assert before.end == after.start
        assert after.start > before.start


def test_boundaries_of_spliced_sections_within_one_second(
    aba: SplicedTrack, aba_context: TrackContext
) -> None:
    segmentation = LaplacianSegmenter().segment(aba_context)
    assert_covers(segmentation, aba_context.duration)
    np.testing.assert_allclose(segmentation.boundaries, aba.boundaries, atol=1.0)
    assert segmentation.labels == ["A", "B", "A'"]
    assert segmentation.n_clusters == 2


@pytest.mark.parametrize(
    ("layout", "labels"),
    [("ABCA", ["A", "B", "C", "A'"]), ("ABAB", ["A", "B", "A'", "B'"]), ("AAB", ["A", "B"])],
)
def test_section_types_are_counted_and_repeats_primed(layout: str, labels: list[str]) -> None:
    track = spliced_sections(layout, section_seconds=15.0)
    segmentation = LaplacianSegmenter().segment(TrackContext(track.audio))
    assert segmentation.labels == labels
    assert segmentation.n_clusters == len(set(layout))
    # AAB: the repeated A is one section, so only the A→B change is a boundary.
    truth = [b for b, (x, y) in zip(track.boundaries, itertools.pairwise(layout)) if x != y]
    np.testing.assert_allclose(segmentation.boundaries, truth, atol=1.0)


def test_no_segment_is_shorter_than_min_segment(aba_context: TrackContext) -> None:
    segmentation = LaplacianSegmenter(min_segment=25.0).segment(aba_context)
    assert_covers(segmentation, aba_context.duration)
    assert min(s.duration for s in segmentation.segments) >= 25.0 or len(segmentation.segments) == 1


@pytest.mark.parametrize(
    "audio",
    [noise(40.0), drum_pattern(100.0, 40.0), silence(30.0)],
    ids=["noise", "looped-drums", "silence"],
)
def test_homogeneous_audio_is_one_section(audio) -> None:  # type: ignore[no-untyped-def]
    segmentation = LaplacianSegmenter().segment(TrackContext(audio))
    assert segmentation.labels == ["A"]
    assert_covers(segmentation, audio.duration)


@pytest.mark.parametrize("kind", ["dc", "clicks"])
def test_audio_whose_every_beat_is_the_same_is_one_section_without_a_warning(kind: str) -> None:
    import warnings

    from mirloop.types import Audio

    sr = 22050
    n = 12 * sr
    samples = np.full(n, 0.5) if kind == "dc" else (np.arange(n) % sr == 0).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # k-means finding fewer distinct points than clusters warned
        segmentation = LaplacianSegmenter().segment(TrackContext(Audio(samples.astype(np.float32), sr)))
    assert segmentation.labels == ["A"]


@pytest.mark.parametrize("level", [1e-7, 1e-6])
@pytest.mark.parametrize("duration", [10.0, 10.5])
def test_dither_level_noise_is_one_section_not_an_error(level: float, duration: float) -> None:
    # every beat's CQT sits on the -100 dB floor: the repetition graph has no edges at all
    audio = noise(duration, level=level)

    segmentation = LaplacianSegmenter().segment(TrackContext(audio))

    assert segmentation.labels == ["A"]
    assert_covers(segmentation, audio.duration)


def test_a_near_silent_track_is_analysed_whole_and_flagged_silent(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import soundfile as sf

    from mirloop.pipelines.batch import analyze_tracks

    audio = noise(10.0, level=1e-7)
    path = tmp_path / "near-silence.wav"
    sf.write(path, audio.samples, audio.sr, subtype="FLOAT")

    (report,) = analyze_tracks([path], tmp_path / "out", figure=False)

    assert report.ok, report.error
    assert report.flags == ("silent",) and report.n_segments == 1


@pytest.mark.parametrize("duration", [0.3, 4.0, 9.9])
def test_a_clip_shorter_than_a_window_is_one_segment(duration: float) -> None:
    audio = cadence("A", "minor", chord_seconds=duration / 4, repeats=1)
    segmentation = LaplacianSegmenter().segment(TrackContext(audio))
    assert [(s.start, s.label) for s in segmentation.segments] == [(0.0, "A")]
    assert segmentation.segments[0].end == pytest.approx(audio.duration)
    assert segmentation.n_clusters == 1
