"""load_audio: every readable file becomes mono float32 at 22050 Hz; every broken one a clear AudioError."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mirloop.errors import AudioError
from mirloop.io.audio import load_audio
from mirloop.signal import ANALYSIS_SR
from tests.pipelines.audio_files import tone, write


def dominant_frequency(samples: np.ndarray, sr: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / sr)[np.argmax(spectrum)])


# -- files that load -------------------------------------------------------------------------


@pytest.mark.parametrize("sr", [8000, 44100, 96000, 192000])
def test_any_supported_rate_is_resampled_to_the_analysis_rate(tmp_path: Path, sr: int) -> None:
    path = write(tmp_path / f"tone_{sr}.wav", tone(2.0, sr, freq=440.0), sr, subtype="FLOAT")

    audio = load_audio(path)

    assert audio.sr == ANALYSIS_SR
    assert audio.samples.dtype == np.float32 and audio.samples.ndim == 1
    assert abs(audio.n_samples - 2.0 * ANALYSIS_SR) <= 2
    assert dominant_frequency(audio.samples, audio.sr) == pytest.approx(440.0, abs=1.0)
    assert np.max(np.abs(audio.samples)) == pytest.approx(0.5, abs=0.02)


@pytest.mark.parametrize(
    ("suffix", "kwargs"),
    [(".wav", {"subtype": "PCM_16"}), (".flac", {}), (".ogg", {"format": "OGG", "subtype": "VORBIS"}),
     (".mp3", {"format": "MP3", "subtype": "MPEG_LAYER_III"})],
)
def test_wav_flac_ogg_and_mp3_decode_to_the_same_tone(tmp_path: Path, suffix: str, kwargs: dict) -> None:
    path = write(tmp_path / f"tone{suffix}", tone(3.0, 44100, freq=660.0, channels=2), 44100, **kwargs)

    audio = load_audio(path)

    # lossy codecs add a few ms of padding; lengths agree to 0.1 s
    assert abs(audio.duration - 3.0) < 0.1
    assert dominant_frequency(audio.samples, audio.sr) == pytest.approx(660.0, abs=1.5)


@pytest.mark.parametrize("channels", [1, 2, 6])
def test_channels_are_mixed_down_to_their_mean(tmp_path: Path, channels: int) -> None:
    samples = tone(1.0, ANALYSIS_SR, channels=channels)
    path = write(tmp_path / f"ch{channels}.wav", samples, ANALYSIS_SR, subtype="FLOAT")

    audio = load_audio(path)

    expected = samples if channels == 1 else samples.mean(axis=1)
    np.testing.assert_allclose(audio.samples, expected, atol=1e-6)


def test_multichannel_is_kept_when_mono_is_false(tmp_path: Path) -> None:
    path = write(tmp_path / "six.wav", tone(1.0, 48000, channels=6), 48000, subtype="FLOAT")

    audio = load_audio(path, mono=False)

    assert audio.samples.shape == (6, ANALYSIS_SR)
    peaks = np.max(np.abs(audio.samples), axis=1)
    np.testing.assert_allclose(peaks, [0.5 / (c + 1) for c in range(6)], rtol=0.02)


@pytest.mark.parametrize(
    ("suffix", "channels", "sr", "level"),
    [(".flac", 2, 44100, 0.0), (".flac", 1, 48000, None), (".flac", 2, 22050, 1.0)],
)
def test_as_loaded_is_what_loading_a_16_bit_flac_file_gives(
    tmp_path: Path, suffix: str, channels: int, sr: int, level: float | None
) -> None:
    from mirloop.io.audio import as_loaded
    from mirloop.io.audio_out import write_audio_file

    rng = np.random.default_rng(3)
    samples = np.clip(rng.normal(0, 0.3, (int(3.3 * sr), channels)), -1.2, 1.2).astype(np.float32)
    path = write_audio_file(tmp_path / f"x{suffix}", samples, sr, subtype="PCM_16", compression_level=level)
    for mono in (True, False):
        loaded = load_audio(path, mono=mono)
        known = as_loaded(samples, sr, mono=mono, flac16=True)
        assert known.sr == loaded.sr
        np.testing.assert_array_equal(known.samples, loaded.samples)


def test_as_loaded_is_what_loading_a_float_file_gives(tmp_path: Path) -> None:
    from mirloop.io.audio import as_loaded

    samples = np.random.default_rng(4).normal(0, 0.2, (100_000, 2)).astype(np.float32)
    path = write(tmp_path / "float.wav", samples, 44100, subtype="FLOAT")
    np.testing.assert_array_equal(as_loaded(samples, 44100).samples, load_audio(path).samples)


def test_sr_none_keeps_the_file_rate(tmp_path: Path) -> None:
    path = write(tmp_path / "native.wav", tone(1.0, 44100), 44100)

    audio = load_audio(path, sr=None)

    assert audio.sr == 44100 and audio.n_samples == 44100


@pytest.mark.parametrize("seconds", [0.5, 5.0])
def test_clips_shorter_than_a_window_load_whole(tmp_path: Path, seconds: float) -> None:
    path = write(tmp_path / "short.flac", tone(seconds, 44100), 44100)

    audio = load_audio(path)

    assert audio.duration == pytest.approx(seconds, abs=1e-3)


def test_silence_loads_as_zeros(tmp_path: Path) -> None:
    path = write(tmp_path / "silence.wav", np.zeros(ANALYSIS_SR, dtype=np.float32), ANALYSIS_SR)

    audio = load_audio(path)

    assert audio.n_samples == ANALYSIS_SR and not audio.samples.any()


def test_the_audio_remembers_its_file(tmp_path: Path) -> None:
    path = write(tmp_path / "named.wav", tone(0.5, 22050), 22050)

    assert load_audio(path).source == str(path)


# -- files that fail, each with a message naming the file and the fix -------------------------


def expect_error(path: Path, *fragments: str) -> str:
    with pytest.raises(AudioError) as caught:
        load_audio(path)
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message
    return message


def test_missing_file(tmp_path: Path) -> None:
    expect_error(tmp_path / "nowhere.wav", "no such file", "check the path")


def test_directory(tmp_path: Path) -> None:
    expect_error(tmp_path, "is a directory")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.touch()
    expect_error(path, "empty (0 bytes)")


@pytest.mark.parametrize("name", ["noise.wav", "noise.mp3", "notes.flac"])
def test_random_bytes_are_not_audio(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(np.random.default_rng(0).bytes(50_000))
    expect_error(path, "not a recognised audio file", "ffmpeg")


def truncated_copy(tmp_path: Path, name: str, fraction: float = 0.5, **kwargs: object) -> Path:
    whole = write(tmp_path / f"whole_{name}", tone(4.0, 44100, channels=2), 44100, **kwargs)
    data = whole.read_bytes()
    cut = tmp_path / name
    cut.write_bytes(data[: int(len(data) * fraction)])
    return cut


@pytest.mark.parametrize(
    ("name", "kwargs"), [("cut.wav", {}), ("cut.flac", {}), ("cut.mp3", {"format": "MP3"})]
)
def test_files_cut_in_half_are_refused_as_damaged_beyond_the_limit(
    tmp_path: Path, name: str, kwargs: dict
) -> None:
    expect_error(
        truncated_copy(tmp_path, name, **kwargs), "the file is damaged", "of 4.00 s did not decode",
        "Re-export or re-download", "MIRLOOP_MAX_DAMAGE",
    )


def test_an_ogg_cut_before_its_first_audio_page_holds_nothing(tmp_path: Path) -> None:
    expect_error(truncated_copy(tmp_path, "cut.ogg", format="OGG"), "holds no audio samples")


def test_a_flac_stream_corrupt_from_its_middle_on_is_refused_as_damaged(tmp_path: Path) -> None:
    path = write(tmp_path / "whole.flac", tone(4.0, 44100, channels=2), 44100)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4000] = np.random.default_rng(1).bytes(4000)
    path.write_bytes(bytes(data))

    expect_error(path, "the file is damaged", "s of 4.00 s did not decode")


def test_header_only_wav_has_zero_length(tmp_path: Path) -> None:
    path = write(tmp_path / "nothing.wav", np.zeros(0, dtype=np.float32), 44100)
    expect_error(path, "zero length")


def test_nan_samples(tmp_path: Path) -> None:
    samples = tone(2.0, 22050)
    samples[30000] = np.nan
    path = write(tmp_path / "nan.wav", samples, 22050, subtype="FLOAT")
    expect_error(path, "NaN or infinite", "1.36 s")


def test_infinite_samples(tmp_path: Path) -> None:
    samples = tone(1.0, 22050)
    samples[5] = np.inf
    expect_error(write(tmp_path / "inf.wav", samples, 22050, subtype="FLOAT"), "NaN or infinite")


def test_sample_rate_below_the_supported_range(tmp_path: Path) -> None:
    path = write(tmp_path / "low.wav", tone(1.0, 4000, freq=300.0), 4000)
    expect_error(path, "4000 Hz", "8000–192000 Hz", "resample")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path / "locked.wav", tone(0.5, 22050), 22050)
    path.chmod(0)
    expect_error(path, "permission denied")


def test_stereo_file_is_not_read_whole_into_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Decoding asks libsndfile for blocks, never for the whole file at once."""
    from mirloop.io import audio as audio_module

    requested: list[int] = []
    original_read = sf.SoundFile.read

    def spy(self: sf.SoundFile, frames: int = -1, *args: object, **kwargs: object) -> object:
        requested.append(frames)
        return original_read(self, frames, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sf.SoundFile, "read", spy)
    path = write(tmp_path / "long.flac", tone(4.0, 44100, channels=2), 44100)

    audio_module.load_audio(path)

    assert requested and all(0 < frames <= audio_module.BLOCK_FRAMES for frames in requested)
    assert len(requested) >= 4000 * 44 // audio_module.BLOCK_FRAMES


def test_ogg_whose_header_promises_a_few_more_frames_loads(tmp_path: Path) -> None:
    """Ogg Vorbis lengths come from granule positions; a shortfall under one block is not damage."""
    clip = Path(__file__).resolve().parents[2].parent / "shared/data/real-dev/hedgewars__oriental.ogg"
    if not clip.is_file():
        pytest.skip(f"{clip} is not available")
    audio = load_audio(clip)
    assert abs(audio.duration - 45.0) < 0.05
