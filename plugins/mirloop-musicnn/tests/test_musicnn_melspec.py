"""musicnn's input: the log-mel spectrogram as musicnn computes it, cut into 3-s patches."""

from __future__ import annotations

import numpy as np
from mirloop.signal.sample_file import is_spilled

from mirloop_musicnn.melspec import FRAME_RATE, SR, cut_patches, log_mel
from mirloop_musicnn.network import N_FRAMES, N_MELS


def test_the_spectrogram_has_96_bands_at_62_5_frames_per_second_whatever_the_input_rate() -> None:
    t = np.arange(22050 * 4) / 22050
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)

    mel = log_mel(tone, 22050)

    assert mel.shape == (1 + 4 * SR // 256, N_MELS)
    assert mel.dtype == np.float32 and (mel >= 0).all()
    assert 10 <= np.argmax(mel.mean(axis=0)) <= 30  # 440 Hz lies in mel band ~19 of 96 (0–8 kHz)


def test_a_full_scale_signal_stays_finite() -> None:
    square = np.sign(np.sin(2 * np.pi * 50 * np.arange(SR) / SR)).astype(np.float32)

    assert np.isfinite(log_mel(square, SR)).all()


def test_patches_start_every_hop_and_the_last_one_ends_with_the_track() -> None:
    mel = np.arange(700 * N_MELS, dtype=np.float32).reshape(700, N_MELS)

    patches = cut_patches(mel, hop_seconds=3.0)

    assert patches.values.shape == (4, N_FRAMES, N_MELS)
    np.testing.assert_allclose(patches.starts * FRAME_RATE, [0, 188, 376, 700 - N_FRAMES])
    np.testing.assert_array_equal(patches.values[-1], mel[-N_FRAMES:])
    np.testing.assert_allclose(patches.centers, patches.starts + 1.496)


def test_a_spectrogram_shorter_than_a_patch_is_repeated_to_fill_one() -> None:
    mel = np.random.default_rng(0).random((50, N_MELS)).astype(np.float32)

    patches = cut_patches(mel, hop_seconds=3.0)

    assert patches.values.shape == (1, N_FRAMES, N_MELS)
    np.testing.assert_array_equal(patches.values[0, 50:100], mel)


def test_a_long_signal_is_transformed_a_chunk_at_a_time_with_the_frames_of_one_piece() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(22050 * 50) / 22050
    signal = (0.3 * np.sin(2 * np.pi * 220 * t * (1 + 0.1 * np.sin(t))) + 0.05 * rng.standard_normal(len(t)))
    signal = signal.astype(np.float32)

    whole = log_mel(signal, 22050)
    chunked = log_mel(signal, 22050, chunk_seconds=12.0)  # five chunks, resampled one by one

    assert chunked.shape == whole.shape
    assert np.abs(chunked - whole).max() < 2e-3  # a float16 rounding flipped here and there
    assert np.abs(chunked - whole).mean() < 1e-5
    at_16k = signal[: SR * 40]
    np.testing.assert_array_equal(log_mel(at_16k, SR, chunk_seconds=12.0), log_mel(at_16k, SR))


def test_a_long_tracks_spectrogram_is_kept_in_a_mapped_file_with_the_same_frames() -> None:
    t = np.arange(22050 * 30) / 22050
    signal = (0.3 * np.sin(2 * np.pi * 330 * t * (1 + 0.05 * np.sin(t)))).astype(np.float32)

    in_ram = log_mel(signal, 22050, chunk_seconds=8.0)
    spilled = log_mel(signal, 22050, chunk_seconds=8.0, spill=True)

    assert is_spilled(spilled) and not is_spilled(in_ram)
    assert not spilled.flags.writeable
    np.testing.assert_array_equal(spilled, in_ram)


def test_patches_are_read_from_the_spectrogram_a_few_at_a_time_never_copied_whole() -> None:
    mel = np.random.default_rng(1).random((1000, N_MELS)).astype(np.float32)

    patches = cut_patches(mel, hop_seconds=1.0)
    blocks = list(patches.blocks(4))

    assert patches.mel is mel  # the spectrogram itself, not a stack of its patches
    assert [len(b) for b in blocks] == [4, 4, 4, 3]  # 14 on the 1-s grid (62 frames), one ending with it
    expected = np.stack([mel[round(s * FRAME_RATE) :][:N_FRAMES] for s in patches.starts])
    np.testing.assert_array_equal(np.concatenate(blocks), expected)
    np.testing.assert_array_equal(patches.values, expected)
