"""Long tracks are analysed in bounded memory, checked at small scale.

Past :data:`mirloop.signal.sample_file.IN_MEMORY_SAMPLES` a decoded track lives in a temporary file
mapped read-only, whose pages the block-wise passes release behind them; the per-frame
arrays are built in place, without whole-track temporaries. Here the threshold is lowered so
that a few seconds or minutes show what an hour-long file does (benchmarks/bench_long_input.py
measures 1 h and 3 h).
"""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mirloop.io.audio import load_audio
from mirloop.signal import sample_file
from mirloop.signal.cqt import compute_constant_q
from mirloop.signal.frames import compute_frame_features
from mirloop.signal.sample_file import is_spilled

SR = 22050


def _noise(seconds: float, *, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (0.1 * rng.standard_normal(int(seconds * SR))).astype(np.float32)


def _write(path: Path, samples: np.ndarray, sr: int = SR) -> Path:
    sf.write(str(path), samples, sr, subtype="FLOAT")
    return path


def _resident_spilled_bytes(prefix: str = "mirloop-samples-") -> int:
    """Resident bytes of this process's mappings of spilled files (from /proc/self/smaps): the
    decoded samples by default, ``mirloop-frames-`` for the log-mel and CQT."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if not line.split(maxsplit=1)[0].endswith(":"):  # a mapping's header line
            inside = prefix in line
        elif inside and line.startswith("Rss:"):
            total += int(line.split()[1]) * 1024
    return total


def test_a_track_past_the_in_memory_limit_loads_into_a_file_mapping_with_the_same_samples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stereo = np.stack([_noise(4.0), _noise(4.0, seed=1)], axis=1)
    path = _write(tmp_path / "long.wav", stereo, 44100)
    in_memory = load_audio(path)
    in_memory_stereo = load_audio(path, mono=False)

    monkeypatch.setattr(sample_file, "IN_MEMORY_SAMPLES", 10_000)
    spilled = load_audio(path)
    spilled_stereo = load_audio(path, mono=False)

    assert not is_spilled(in_memory.samples)
    assert is_spilled(spilled.samples) and is_spilled(spilled_stereo.samples)
    np.testing.assert_array_equal(spilled.samples, in_memory.samples)
    np.testing.assert_array_equal(spilled_stereo.samples, in_memory_stereo.samples)
    assert not list(tmp_path.glob("*mirloop-samples*"))  # the file is unlinked once mapped


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/smaps")
def test_the_analysis_passes_release_a_spilled_track_behind_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path / "two-minutes.wav", _noise(120.0))
    monkeypatch.setattr(sample_file, "IN_MEMORY_SAMPLES", 10_000)
    y = load_audio(path).samples
    assert is_spilled(y)
    whole = y.nbytes

    float(y.sum())  # reading every sample maps the whole track in
    assert _resident_spilled_bytes() >= 0.9 * whole

    sample_file.peak(y)
    after_peak = _resident_spilled_bytes()
    compute_frame_features(y, sr=SR, block_frames=256)
    after_stft = _resident_spilled_bytes()
    compute_constant_q(y, sr=SR, block_frames=64)
    after_cqt = _resident_spilled_bytes()

    # What stays mapped is the last block or two of each pass, not the track.
    assert max(after_peak, after_stft, after_cqt) < 0.15 * whole, (after_peak, after_stft, after_cqt, whole)


def _arrays_bytes(result: object) -> int:
    names = [field.name for field in result.__attrs_attrs__]  # type: ignore[attr-defined]
    arrays = [getattr(result, name) for name in names]
    return sum(array.nbytes for array in arrays if isinstance(array, np.ndarray))


def _peak_beyond_result(compute: Callable[[], object]) -> tuple[int, int]:
    """Traced peak bytes of ``compute()`` beyond the arrays it returns, and those arrays' bytes."""
    tracemalloc.start()
    try:
        result = compute()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    kept = _arrays_bytes(result)
    return peak - kept, kept


@pytest.mark.parametrize(
    "compute",
    [
        pytest.param(lambda y: compute_frame_features(y, sr=SR, block_frames=64), id="stft-frames"),
        pytest.param(lambda y: compute_constant_q(y, sr=SR, block_frames=64), id="constant-q"),
    ],
)
def test_the_working_memory_of_a_pass_does_not_grow_with_the_track(
    compute: Callable[[np.ndarray], object],
) -> None:
    y = _noise(300.0)
    compute(y[:SR])  # the first call imports and caches what every later call uses (filter banks)

    short_excess, short_kept = _peak_beyond_result(lambda: compute(y[: 75 * SR]))
    long_excess, long_kept = _peak_beyond_result(lambda: compute(y))

    # Four times the track, four times the output; the memory beyond the output stays a few
    # blocks (a whole-track temporary would add at least as much as the output grew).
    assert long_kept > 3.5 * short_kept
    growth = long_excess - short_excess
    assert growth < 0.25 * (long_kept - short_kept), (short_excess, long_excess, long_kept)


def test_the_onset_envelopes_are_librosas_without_whole_track_temporaries() -> None:
    import librosa

    from mirloop.signal.context import band_onsets

    log_mel = (np.random.default_rng(2).standard_normal((128, 20_000)) * 10 - 40).astype(np.float32)
    edges = [0, 20, 128]

    tracemalloc.start()
    try:
        ours = band_onsets(log_mel, edges, hop_length=512, block=512)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    theirs = librosa.onset.onset_strength_multi(S=log_mel, sr=SR, hop_length=512, channels=edges)
    np.testing.assert_array_equal(ours, theirs)
    # librosa's difference and rectification are two more arrays of the log-mel's size
    assert peak - ours.nbytes < 0.25 * log_mel.nbytes


def test_no_room_for_a_long_track_is_one_audio_error_naming_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from mirloop.errors import AudioError

    path = _write(tmp_path / "long.wav", _noise(2.0))
    monkeypatch.setattr(sample_file, "IN_MEMORY_SAMPLES", 10_000)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-folder"))

    with pytest.raises(AudioError, match=r"temporary file in .*no-such-folder.*set TMPDIR"):
        load_audio(path)


def _music(seconds: float) -> np.ndarray:
    from mirloop.testing.signals import spliced_sections

    return spliced_sections("ABA", section_seconds=seconds / 3).audio.samples


def test_a_long_tracks_log_mel_and_constant_q_go_to_files_with_the_values_computed_in_ram(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    y = _music(30.0)
    frames = compute_frame_features(y, sr=SR, block_frames=200)
    cqt = compute_constant_q(y, sr=SR, block_frames=90)

    monkeypatch.setattr(sample_file, "IN_MEMORY_SAMPLES", 10_000)
    spilled_frames = compute_frame_features(y, sr=SR, block_frames=200)
    spilled_cqt = compute_constant_q(y, sr=SR, block_frames=90)

    assert not is_spilled(frames.log_mel) and not is_spilled(cqt.db)
    assert is_spilled(spilled_frames.log_mel) and is_spilled(spilled_cqt.db)
    for name in ("log_mel", "mfcc", "contrast", "centroid", "flatness", "flux", "rms"):
        np.testing.assert_array_equal(getattr(spilled_frames, name), getattr(frames, name), err_msg=name)
    np.testing.assert_array_equal(spilled_cqt.db, cqt.db)
    np.testing.assert_array_equal(spilled_cqt.fine_chroma, cqt.fine_chroma)
    # The chroma are folded a block at a time: BLAS may round a block's product differently.
    np.testing.assert_allclose(spilled_cqt.chroma, cqt.chroma, rtol=1e-6, atol=1e-6)


def test_an_analysis_forced_through_temporary_files_equals_the_one_in_ram(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mirloop.pipelines.analyze import analyze_file, resolve_analysis_config

    path = _write(tmp_path / "music.wav", _music(60.0))
    config = resolve_analysis_config(None)
    in_ram = analyze_file(path, config=config)

    monkeypatch.setattr(sample_file, "IN_MEMORY_SAMPLES", 10_000)
    spilled = analyze_file(path, config=config)

    assert is_spilled(spilled.context.samples) and is_spilled(spilled.context.log_mel)
    a, b = in_ram.analysis, spilled.analysis
    assert a.features is not None and b.features is not None and a.tempo is not None and b.tempo is not None
    np.testing.assert_array_equal(b.features.values, a.features.values)
    np.testing.assert_array_equal(b.tempo.beats, a.tempo.beats)
    np.testing.assert_array_equal(b.tempo.curve_bpm, a.tempo.curve_bpm)
    assert (b.tempo.bpm, repr(b.key), b.segmentation) == (a.tempo.bpm, repr(a.key), a.segmentation)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/smaps")
def test_the_passes_over_a_spilled_log_mel_and_constant_q_release_them_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mirloop.signal import TrackContext
    from mirloop.types import Audio

    monkeypatch.setattr(sample_file, "IN_MEMORY_SAMPLES", 10_000)
    ctx = TrackContext(Audio(_noise(240.0), SR))
    spilled = ctx.log_mel.nbytes + ctx.constant_q.db.nbytes
    float(ctx.log_mel.sum()) + float(ctx.constant_q.db.sum())  # reading them maps them in
    assert _resident_spilled_bytes("mirloop-frames-") >= 0.9 * spilled

    ctx.onset_envelope, ctx.rhythm_envelope, ctx.beat_units  # noqa: B018 (the passes under test)

    # What stays mapped is the last block of each pass, not the arrays.
    assert _resident_spilled_bytes("mirloop-frames-") < 0.25 * spilled


def test_the_tempo_curve_and_tuned_chroma_are_the_same_computed_a_block_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mirloop.signal import TrackContext, tempo, tuning
    from mirloop.types import Audio

    audio = Audio(_music(45.0), SR)
    whole = TrackContext(audio)
    curve, chroma = whole.tempo.curve_bpm, whole.tuned_chroma
    monkeypatch.setattr(tempo, "CURVE_BLOCK", 7)
    monkeypatch.setattr(tuning, "TUNING_BLOCK", 50)
    blocked = TrackContext(audio)

    assert len(curve) > 7 and chroma.shape[1] > 50
    np.testing.assert_array_equal(blocked.tempo.curve_bpm, curve)
    np.testing.assert_array_equal(blocked.tuned_chroma, chroma)


def test_a_figure_draws_a_long_chroma_as_means_of_runs_of_columns() -> None:
    from mirloop.signal.windows import pool_columns

    chroma = np.arange(2 * 10, dtype=np.float32).reshape(2, 10)

    assert pool_columns(chroma, 10) is chroma  # short enough: every column drawn
    np.testing.assert_array_equal(pool_columns(chroma, 4), [[1, 4, 7, 9], [11, 14, 17, 19]])
    assert pool_columns(chroma, 4).dtype == np.float32


def test_the_loops_figure_and_preview_of_a_track_read_from_files_equal_those_in_ram(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mirloop.io.audio_out import write_ogg
    from mirloop.loop.figures import input_curves, track_figure
    from mirloop.pipelines.analyze import analyze_file, resolve_analysis_config

    path = _write(tmp_path / "music.wav", _music(30.0))
    config = resolve_analysis_config(None)
    in_ram = analyze_file(path, config=config)
    monkeypatch.setattr(sample_file, "IN_MEMORY_SAMPLES", 10_000)
    spilled = analyze_file(path, config=config)
    assert is_spilled(spilled.context.samples)

    for name, run in (("ram", in_ram), ("file", spilled)):
        track_figure(input_curves(run), None, tmp_path / f"{name}.png", title="music")
        write_ogg(run.context.audio, tmp_path / f"{name}.ogg")

    assert (tmp_path / "file.png").read_bytes() == (tmp_path / "ram.png").read_bytes()
    np.testing.assert_array_equal(sf.read(tmp_path / "file.ogg")[0], sf.read(tmp_path / "ram.ogg")[0])


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/self/smaps")
def test_a_long_tracks_tempogram_goes_to_a_file_with_the_values_in_ram_and_the_tempo_passes_release_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mirloop.backends.librosa.features import LibrosaFeatures
    from mirloop.signal import TrackContext
    from mirloop.types import Audio

    audio = Audio(_music(240.0), SR)
    in_ram = TrackContext(audio)
    in_ram.tempo  # noqa: B018 (the tempogram and the tempo computed in RAM)
    monkeypatch.setattr(sample_file, "IN_MEMORY_SAMPLES", 10_000)
    spilled = TrackContext(audio)
    spilled.rhythm_envelope  # noqa: B018 (what the tempogram is computed from: the log-mel's last block stays)
    others = _resident_spilled_bytes("mirloop-frames-")

    assert not is_spilled(in_ram.tempogram.acf) and is_spilled(spilled.tempogram.acf)
    assert spilled.tempogram.acf.flags.c_contiguous  # the layout of the array in RAM
    np.testing.assert_array_equal(spilled.tempogram.acf, in_ram.tempogram.acf)
    whole = spilled.tempogram.acf.nbytes
    before = _resident_spilled_bytes("mirloop-frames-") - others

    tempo, reference = spilled.tempo, in_ram.tempo  # the track mean, the windows and the curve
    assert (tempo.bpm, tempo.confidence) == (reference.bpm, reference.confidence)
    np.testing.assert_array_equal(tempo.window_bpm, reference.window_bpm)
    np.testing.assert_array_equal(tempo.curve_bpm, reference.curve_bpm)
    clarity = LibrosaFeatures._pulse_clarity(spilled)  # the tempogram's peak over the beat lags
    np.testing.assert_array_equal(clarity, LibrosaFeatures._pulse_clarity(in_ram))

    # reading the tempogram mapped it in (the comparison above); the passes leave little of it
    assert before >= 0.9 * whole
    assert _resident_spilled_bytes("mirloop-frames-") - others < 0.1 * whole
