"""An audio header cannot make mirloop allocate more than the track-length limit allows."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirloop.errors import AudioError
from mirloop.io.audio import load_audio
from tests.pipelines.audio_files import tone, write


def flac_claiming(path: Path, total_frames: int) -> Path:
    """A one-second FLAC whose STREAMINFO says it holds ``total_frames`` (a 36-bit field)."""
    write(path, tone(1.0, 22050), 22050)
    data = bytearray(path.read_bytes())
    assert data[:4] == b"fLaC" and data[4] & 0x7F == 0  # STREAMINFO comes first
    data[21] = (data[21] & 0xF0) | (total_frames >> 32)
    data[22:26] = (total_frames & 0xFFFFFFFF).to_bytes(4, "big")
    path.write_bytes(bytes(data))
    return path


def test_a_flac_header_claiming_2_to_the_36_frames_is_refused_before_allocating(tmp_path: Path) -> None:
    path = flac_claiming(tmp_path / "liar.flac", 2**36 - 1)
    with pytest.raises(AudioError) as caught:
        load_audio(path)
    message = str(caught.value)
    assert "its header says it lasts 865.703 h, past the limit of 10 h" in message
    assert "MIRLOOP_MAX_TRACK_HOURS" in message


def test_the_track_limit_follows_its_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "two-seconds.wav", tone(2.0, 22050), 22050)
    monkeypatch.setenv("MIRLOOP_MAX_TRACK_HOURS", str(1 / 3600))
    with pytest.raises(AudioError, match=r"lasts 0\.000555556 h, past the limit"):
        load_audio(path)
    monkeypatch.setenv("MIRLOOP_MAX_TRACK_HOURS", str(3 / 3600))
    assert load_audio(path).duration == pytest.approx(2.0)
