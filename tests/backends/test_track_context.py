"""TrackContext: the analysis signal and its shared, cached, memory-bounded representations."""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.errors import AudioError, InvalidValueError
from mirloop.signal import ANALYSIS_SR, TrackContext
from mirloop.signal.cqt import compute_constant_q
from mirloop.signal.frames import compute_frame_features
from mirloop.signal.tempo import compute_tempogram
from mirloop.testing.signals import cadence, drum_pattern, noise, spliced_sections
from mirloop.types import Audio, Grid, TempoEstimate


def test_analysis_rate_is_22050_hz() -> None:
    assert ANALYSIS_SR == 22050


def test_context_exposes_the_signal_and_a_default_grid() -> None:
    audio = drum_pattern(100.0, 25.0)
    ctx = TrackContext(audio)
    assert ctx.audio is audio
    assert ctx.sr == ANALYSIS_SR
    assert ctx.duration == pytest.approx(25.0)
    assert ctx.grid == Grid(25.0)
    assert ctx.frame_times[1] == pytest.approx(512 / ANALYSIS_SR)
    assert len(ctx.frame_times) == ctx.log_mel.shape[1] == ctx.mfcc.shape[1] == len(ctx.onset_envelope)


def test_a_custom_grid_is_kept() -> None:
    grid = Grid(25.0, window=5.0, hop=1.0)
    assert TrackContext(drum_pattern(100.0, 25.0), grid=grid).grid is grid


@pytest.mark.parametrize(
    ("audio", "complaint"),
    [
        (Audio(np.zeros((2, 22050), dtype=np.float32), ANALYSIS_SR), "mono"),
        (Audio(np.zeros(44100, dtype=np.float32), 44100), "22050 Hz"),
        (Audio(np.zeros(0, dtype=np.float32), ANALYSIS_SR), "empty"),
    ],
)
def test_context_rejects_audio_it_cannot_analyse(audio: Audio, complaint: str) -> None:
    with pytest.raises(AudioError, match=complaint):
        TrackContext(audio)


def test_representations_are_computed_once_and_shared() -> None:
    ctx = TrackContext(drum_pattern(100.0, 12.0))
    assert ctx.frames is ctx.frames
    assert ctx.constant_q is ctx.constant_q
    assert ctx.tempogram is ctx.tempogram
    assert ctx.tempo is ctx.tempo
    assert ctx.beat_units is ctx.beat_units


def test_frame_features_match_plain_librosa() -> None:
    import librosa

    y = spliced_sections("AB", section_seconds=5.0).audio.samples
    y = y + noise(10.0, level=1e-3).samples  # keeps contrasts below librosa's 80-dB floor
    frames = compute_frame_features(y, sr=ANALYSIS_SR)
    magnitude = np.abs(librosa.stft(y, n_fft=2048, hop_length=512))
    log_mel = librosa.power_to_db(librosa.feature.melspectrogram(S=magnitude**2, sr=ANALYSIS_SR))
    np.testing.assert_allclose(frames.log_mel, log_mel, atol=0.01)
    np.testing.assert_allclose(frames.mfcc, librosa.feature.mfcc(S=log_mel, n_mfcc=20), atol=0.05)
    np.testing.assert_allclose(frames.centroid, librosa.feature.spectral_centroid(S=magnitude)[0], rtol=1e-3)
    np.testing.assert_allclose(frames.flatness, librosa.feature.spectral_flatness(S=magnitude)[0], atol=1e-4)
    np.testing.assert_allclose(
        frames.contrast, librosa.feature.spectral_contrast(S=magnitude, sr=ANALYSIS_SR), atol=0.1
    )


def test_blocked_frame_features_equal_the_unblocked_ones() -> None:
    y = spliced_sections("ABC", section_seconds=4.0).audio.samples
    whole = compute_frame_features(y, sr=ANALYSIS_SR, block_frames=10_000)
    blocked = compute_frame_features(y, sr=ANALYSIS_SR, block_frames=97)
    for name in (
        "log_mel",
        "mfcc",
        "centroid",
        "flatness",
        "contrast",
        "flux",
        "rms",
    ):
        np.testing.assert_allclose(
            getattr(blocked, name), getattr(whole, name), rtol=1e-4, atol=1e-4, err_msg=name
        )


def test_blocked_cqt_equals_the_unblocked_one() -> None:
    y = cadence("D", "minor", chord_seconds=1.5).samples
    whole = compute_constant_q(y, sr=ANALYSIS_SR, block_frames=10_000)
    blocked = compute_constant_q(y, sr=ANALYSIS_SR, block_frames=23)
    assert blocked.db.shape == whole.db.shape
    np.testing.assert_allclose(blocked.db, whole.db, atol=0.05)
    np.testing.assert_allclose(blocked.chroma, whole.chroma, rtol=1e-2, atol=1e-3 * whole.chroma.max())


def test_cqt_kernel_equals_librosa_and_is_built_once() -> None:
    import librosa

    from mirloop.signal.cqt import FMIN_MIDI, constant_q_kernel

    y = cadence("F#", "major", chord_seconds=1.5).samples.astype(np.float32)
    kernel = constant_q_kernel(ANALYSIS_SR, 2048)
    theirs = librosa.cqt(
        y,
        sr=ANALYSIS_SR,
        hop_length=2048,
        fmin=float(librosa.midi_to_hz(FMIN_MIDI)),
        n_bins=216,
        bins_per_octave=36,
        tuning=0.0,
        dtype=np.complex64,
    )
    expected = np.abs(theirs)
    np.testing.assert_allclose(kernel.magnitude(y), expected, rtol=1e-4, atol=1e-6 * expected.max())
    assert constant_q_kernel(ANALYSIS_SR, 2048) is kernel


def test_chroma_peaks_on_the_notes_played() -> None:
    ctx = TrackContext(cadence("C", "major"))
    strongest = set(np.argsort(ctx.track_chroma)[-3:])
    assert strongest <= {0, 4, 5, 7, 9, 11, 2}  # pitch classes of C, F and G major triads


def test_beat_units_cover_the_track() -> None:
    ctx = TrackContext(drum_pattern(120.0, 20.0))
    units = ctx.beat_units
    assert units.bounds[0] == 0.0
    assert units.bounds[-1] == pytest.approx(ctx.duration)
    assert np.all(np.diff(units.bounds) > 0)
    assert units.cqt.shape == (216, units.n)
    assert units.mfcc.shape == (20, units.n)
    assert np.median(np.diff(units.bounds)) == pytest.approx(0.5, abs=0.03)  # one beat at 120 BPM


def test_blocked_tempogram_equals_the_unblocked_one() -> None:
    onset = TrackContext(drum_pattern(100.0, 30.0)).rhythm_envelope
    whole = compute_tempogram(onset, fps=ANALYSIS_SR / 512, block_columns=100_000)
    blocked = compute_tempogram(onset, fps=ANALYSIS_SR / 512, block_columns=37)
    np.testing.assert_allclose(blocked.acf, whole.acf, atol=1e-6)


def test_all_four_stages_share_one_stft_pass_and_one_cqt_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    from mirloop.backends.librosa.features import LibrosaFeatures
    from mirloop.backends.librosa.key import LibrosaKey
    from mirloop.backends.librosa.laplacian import LaplacianSegmenter
    from mirloop.backends.librosa.tempo import LibrosaTempo
    from mirloop.signal import context

    calls: list[str] = []

    def counted(name: str, compute):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(name)
            return compute(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(context, "compute_frame_features", counted("stft", context.compute_frame_features))
    monkeypatch.setattr(context, "compute_constant_q", counted("cqt", context.compute_constant_q))
    monkeypatch.setattr(context, "compute_tempogram", counted("tempogram", context.compute_tempogram))
    ctx = TrackContext(spliced_sections("AB", section_seconds=12.0).audio)
    LibrosaFeatures().extract(ctx)
    LibrosaTempo().estimate_tempo(ctx)
    LibrosaKey().estimate_key(ctx)
    LaplacianSegmenter().segment(ctx)
    assert sorted(calls) == ["cqt", "stft", "tempogram"]


def constant_tempo(ctx: TrackContext, bpm: float, *, beats: bool = True) -> TempoEstimate:
    """What a tempo backend other than the built-in one might answer: ``bpm`` throughout."""
    times = np.arange(0.0, ctx.duration, 60.0 / bpm) if beats else np.zeros(0)
    return TempoEstimate(bpm, 0.9, np.full(ctx.grid.n_windows, bpm), beats=times)


def test_the_tempo_stages_result_becomes_the_tracks_tempo_and_beats() -> None:
    ctx = TrackContext(drum_pattern(100.0, 20.0))
    default_units = ctx.beat_units
    assert ctx.tempo is ctx.default_tempo  # no tempo stage yet: the built-in estimate

    stage = constant_tempo(ctx, 77.0)
    ctx.use_tempo(stage)

    assert ctx.tempo is stage
    np.testing.assert_array_equal(ctx.beats, stage.beats)
    assert ctx.beat_units is not default_units  # recomputed on the new beats
    assert np.isin(ctx.beat_units.bounds[1:-1], stage.beats).all()


def test_the_built_in_backend_still_answers_its_own_tempo_after_another_stage_spoke() -> None:
    from mirloop.backends.librosa.tempo import LibrosaTempo

    ctx = TrackContext(drum_pattern(100.0, 20.0))
    ctx.use_tempo(constant_tempo(ctx, 77.0))

    assert LibrosaTempo().estimate_tempo(ctx) is ctx.default_tempo
    assert ctx.default_tempo.bpm != 77.0


def test_a_tempo_stage_without_beats_leaves_the_built_in_beats() -> None:
    ctx = TrackContext(drum_pattern(100.0, 20.0))
    ctx.use_tempo(constant_tempo(ctx, 77.0, beats=False))

    assert ctx.tempo.bpm == 77.0
    np.testing.assert_array_equal(ctx.beats, ctx.default_tempo.beats)


def test_use_tempo_takes_only_a_tempo_estimate() -> None:
    ctx = TrackContext(drum_pattern(100.0, 12.0))
    with pytest.raises(InvalidValueError, match="TempoEstimate"):
        ctx.use_tempo({"bpm": 77.0})  # type: ignore[arg-type]
