"""Audio files written block by block as samples are made: the encoder gets the blocks the
whole-array writer gives it, so the file decodes to the same samples, and it appears atomically."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mirloop.io.audio_out import WRITE_BLOCK, open_audio_file, write_audio_file


def _noise(frames: int, channels: int) -> np.ndarray:
    shape = (frames,) if channels == 1 else (frames, channels)
    return (np.random.default_rng(1).standard_normal(shape) * 0.4).astype(np.float32)


@pytest.mark.parametrize(("suffix", "channels"), [(".ogg", 1), (".ogg", 2), (".wav", 2), (".flac", 1)])
def test_blocks_of_any_size_decode_to_the_whole_arrays_file(
    tmp_path: Path, suffix: str, channels: int
) -> None:
    samples = _noise(3 * WRITE_BLOCK + 1234, channels)  # peaks past 1: clipped the same way in both
    write_audio_file(tmp_path / f"whole{suffix}", samples, 22050, clip=True)
    with open_audio_file(tmp_path / f"blocks{suffix}", 22050, channels, clip=True) as writer:
        start = 0
        for size in [1000, 50_000, 7, 0, 40_000] * 3:  # cut nowhere near the encoder's blocks
            writer.write(samples[start : start + size])
            start += size
        writer.write(samples[start:])

    whole = sf.read(tmp_path / f"whole{suffix}", dtype="float32")[0]
    blocks = sf.read(tmp_path / f"blocks{suffix}", dtype="float32")[0]
    assert len(whole) == len(samples) and np.array_equal(blocks, whole)
    if suffix != ".ogg":  # Vorbis streams get a random serial number; PCM files are the same bytes
        assert (tmp_path / f"blocks{suffix}").read_bytes() == (tmp_path / f"whole{suffix}").read_bytes()


def test_cutting_a_vorbis_stream_elsewhere_changes_its_samples(tmp_path: Path) -> None:
    """Why the writer re-blocks: the Vorbis encoder's output depends on where its input is cut."""
    samples = _noise(2 * WRITE_BLOCK, 1)
    write_audio_file(tmp_path / "whole.ogg", samples, 22050)
    with sf.SoundFile(tmp_path / "cut.ogg", "w", 22050, 1, format="OGG", subtype="VORBIS") as handle:
        for start in range(0, len(samples), 1000):
            handle.write(samples[start : start + 1000])
    assert not np.array_equal(sf.read(tmp_path / "cut.ogg")[0], sf.read(tmp_path / "whole.ogg")[0])


def test_a_failure_while_writing_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "player.ogg"
    write_audio_file(target, _noise(22050, 1), 22050)
    before = target.read_bytes()
    with pytest.raises(RuntimeError, match="renderer failed"), open_audio_file(target, 22050, 1) as writer:
        writer.write(_noise(3 * WRITE_BLOCK, 1))
        raise RuntimeError("renderer failed")
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["player.ogg"]
