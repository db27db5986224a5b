"""LibrosaFeatures: the 21 window features, finite on any input, with track or trained PCA."""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.backends.librosa.features import LibrosaFeatures
from mirloop.signal import TrackContext
from mirloop.testing.signals import SplicedTrack, cadence, click_track, drum_pattern, noise, silence
from mirloop.types import FEATURE_NAMES, Projection


def test_one_row_of_21_named_finite_features_per_window(aba_context: TrackContext) -> None:
    features = LibrosaFeatures().extract(aba_context)
    assert features.names == FEATURE_NAMES
    assert len(FEATURE_NAMES) == 21
    assert features.values.shape == (aba_context.grid.n_windows, 21)
    assert features.grid == aba_context.grid
    assert np.all(np.isfinite(features.values))
    assert features.pca_input is not None and features.pca_input.shape == (aba_context.grid.n_windows, 78)
    assert features.backend == "librosa"


@pytest.mark.parametrize(
    "audio",
    [silence(30.0), silence(3.0), noise(11.0), cadence("G", "major", repeats=1), click_track(100.0, 0.5)],
    ids=["silence", "short-silence", "noise", "sub-window-cadence", "half-second-click"],
)
def test_any_input_gives_finite_features(audio) -> None:  # type: ignore[no-untyped-def]
    ctx = TrackContext(audio)
    features = LibrosaFeatures().extract(ctx)
    assert features.values.shape == (ctx.grid.n_windows, 21)
    assert np.all(np.isfinite(features.values))


def test_features_describe_what_is_in_each_window(aba: SplicedTrack, aba_context: TrackContext) -> None:
    features = LibrosaFeatures().extract(aba_context)
    starts = aba_context.grid.starts
    drums_window, pad_window = int(np.flatnonzero(starts == 0.0)[0]), int(np.flatnonzero(starts == 26.0)[0])
    column = features.column
    assert column("tempo")[drums_window] == pytest.approx(120.0, rel=0.02)
    assert column("onset_rate")[drums_window] > 2 * column("onset_rate")[pad_window]
    assert column("spectral_centroid")[drums_window] > column("spectral_centroid")[pad_window]
    assert column("spectral_flatness")[drums_window] > column("spectral_flatness")[pad_window]
    assert column("key_clarity")[pad_window] > 0.6
    assert np.all((column("chroma_strength") >= 1 / 12) & (column("chroma_strength") <= 1))
    assert column("pulse_clarity")[drums_window] > 0.5
    assert np.all(np.abs(column("chord_quality")) <= 1) and np.all(np.abs(column("thirds")) <= 1)


def test_track_pca_is_deterministic_and_ordered_by_variance(aba_context: TrackContext) -> None:
    first = LibrosaFeatures().extract(aba_context)
    again = LibrosaFeatures().extract(aba_context)
    pca = first.values[:, 3:6]
    np.testing.assert_array_equal(pca, again.values[:, 3:6])
    variances = pca.var(axis=0)
    assert variances[0] >= variances[1] >= variances[2] > 0
    np.testing.assert_allclose(pca.mean(axis=0), 0.0, atol=1e-4)


def test_a_trained_projection_replaces_the_track_pca(aba_context: TrackContext) -> None:
    dims = 78
    components = np.zeros((3, dims))
    components[0, 0] = components[1, 1] = components[2, 2] = 1.0  # picks the first three MFCC means
    projection = Projection(mean=np.zeros(dims), components=components, fitted_on="test")
    features = LibrosaFeatures(projection=projection).extract(aba_context)
    np.testing.assert_allclose(features.values[:, 3:6], features.values[:, 0:3], rtol=1e-5)


def test_silence_features_are_zero_where_undefined() -> None:
    features = LibrosaFeatures().extract(TrackContext(silence(12.0)))
    for name in (
        "rms_mean",
        "spectral_centroid",
        "spectral_flatness",
        "onset_rate",
        "key_clarity",
        "pulse_clarity",
    ):
        np.testing.assert_array_equal(features.column(name), 0.0)


def test_louder_drums_raise_rms_but_not_timbre() -> None:
    quiet_audio = drum_pattern(100.0, 12.0)
    loud_audio = type(quiet_audio)(quiet_audio.samples * 0.25, quiet_audio.sr)
    quiet = LibrosaFeatures().extract(TrackContext(loud_audio))
    loud = LibrosaFeatures().extract(TrackContext(quiet_audio))
    assert loud.column("rms_mean")[0] == pytest.approx(4 * quiet.column("rms_mean")[0], rel=1e-3)
    assert loud.column("spectral_centroid")[0] == pytest.approx(
        quiet.column("spectral_centroid")[0], rel=1e-3
    )


def test_chord_quality_is_negative_on_minor_chords_and_positive_on_major_ones() -> None:
    """i–iv–V–i in A minor (three minor triads in four) against I–IV–V–I in C major, its relative."""
    from mirloop.testing.signals import cadence

    quality = {
        mode: LibrosaFeatures().extract(TrackContext(cadence(tonic, mode, chord_seconds=1.5, repeats=3)))
        .column("chord_quality")
        for tonic, mode in (("A", "minor"), ("C", "major"))
    }
    assert np.all(quality["minor"] < -0.05)
    assert np.all(quality["major"] > 0.05)


def test_chord_templates_score_triads_and_suspended_chords() -> None:
    from mirloop.signal.harmony import chord_qualities

    def chroma_of(*pitch_classes: int) -> np.ndarray:
        column = np.zeros(12)
        column[list(pitch_classes)] = 1.0
        return column

    frames = np.column_stack(
        [chroma_of(0, 4, 7), chroma_of(9, 0, 4), chroma_of(2, 7, 9), chroma_of(5, 7, 0), np.zeros(12)]
    )  # C major, A minor, D sus4, F sus2, silence
    quality, thirds, voiced = chord_qualities(frames)
    assert quality[0] > 0.3 and quality[1] < -0.3
    assert thirds[0] > 0.3 and thirds[1] > 0.3
    assert thirds[2] < -0.3 and thirds[3] < -0.3
    np.testing.assert_array_equal(voiced, [1, 1, 1, 1, 0])
    assert quality[4] == thirds[4] == 0.0
