"""Damaged audio, one policy: decode what decodes, say what is missing, refuse only large damage."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirloop.errors import AudioError, ConfigError
from mirloop.io.audio import load_audio
from tests.io.damaged_files import SR, cut, garble, ogg, ogg_promising_more, wav, wav_data_size


def test_an_ogg_whose_last_tenth_of_a_second_does_not_decode_is_analysed_and_flagged(tmp_path: Path) -> None:
    path = ogg_promising_more(ogg(tmp_path / "game.ogg", 60.0), extra_frames=round(0.13 * SR))

    audio = load_audio(path)

    assert audio.duration == pytest.approx(60.0, abs=0.05)
    assert audio.damage is not None
    assert audio.damage.missing_seconds == pytest.approx(0.13, abs=0.02)
    assert "0.1" in audio.damage.describe() and "of 60.13 s did not decode" in audio.damage.describe()


def test_an_ogg_cut_short_is_analysed_as_far_as_it_goes_and_flagged_as_cut(tmp_path: Path) -> None:
    path = cut(ogg(tmp_path / "download.ogg", 20.0), keep=0.6)

    audio = load_audio(path)

    assert 5.0 < audio.duration < 15.0
    assert audio.damage is not None and audio.damage.missing_seconds is None  # the true length is unknown
    assert audio.damage.problems == ("the Ogg stream ends without its last page (the file was cut)",)


def test_a_garbled_page_in_the_middle_of_an_ogg_is_skipped_and_what_is_lost_is_said(tmp_path: Path) -> None:
    path = garble(ogg(tmp_path / "scratched.ogg", 60.0), at=0.5, size=200)

    audio = load_audio(path)

    assert audio.damage is not None
    assert audio.damage.problems == ("part of the stream is corrupt and was skipped",)
    assert 0.1 < (audio.damage.missing_seconds or 0) < 3.0
    assert audio.duration == pytest.approx(60.0 - (audio.damage.missing_seconds or 0), abs=0.05)


@pytest.mark.parametrize("size", [0, 0xFFFFFFFF])
def test_a_wav_whose_writer_never_finished_the_header_is_read_to_the_end_of_the_file(
    tmp_path: Path, size: int
) -> None:
    path = wav_data_size(wav(tmp_path / "recording.wav", 20.0), size)

    audio = load_audio(path)

    assert audio.duration == pytest.approx(20.0, abs=1e-3)
    assert audio.damage is not None and audio.damage.missing_seconds is None
    assert f"the WAV header was never finished (its data size is {size:#x})" in audio.damage.problems[0]


def test_a_wav_missing_a_little_of_its_end_is_analysed_and_flagged(tmp_path: Path) -> None:
    path = cut(wav(tmp_path / "copy.wav", 60.0), keep=0.999)

    audio = load_audio(path)

    assert audio.damage is not None and audio.damage.missing_seconds == pytest.approx(0.06, abs=0.01)
    assert "the WAV header declares 2646000 bytes of audio, the file holds" in audio.damage.problems[0]


def test_a_wav_header_promising_three_times_the_audio_is_refused_with_what_is_missing(tmp_path: Path) -> None:
    path = wav_data_size(wav(tmp_path / "liar.wav", 20.0), 3 * 20 * SR * 2)

    with pytest.raises(AudioError) as caught:
        load_audio(path)

    message = str(caught.value)
    assert message.startswith(f"{path}: the file is damaged — 40.00 s of 60.00 s did not decode (66.67 %)")
    assert "more than the 5 % or 10 s mirloop analyses anyway" in message and "MIRLOOP_MAX_DAMAGE" in message


def test_the_limit_is_5_percent_or_10_seconds_and_the_environment_moves_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mirloop.io.audio_damage import DamageLimit

    path = cut(wav(tmp_path / "half.wav", 20.0), keep=0.9)  # 2 s of 20 s missing: 10 %
    with pytest.raises(AudioError, match=r"2\.00 s of 20\.00 s did not decode \(10\.00 %\)"):
        load_audio(path)

    assert load_audio(path, damage_limit=DamageLimit(percent=15)).damage is not None
    monkeypatch.setenv("MIRLOOP_MAX_DAMAGE", "12%,5s")
    assert load_audio(path).duration == pytest.approx(18.0, abs=1e-3)
    monkeypatch.setenv("MIRLOOP_MAX_DAMAGE", "12%,1s")
    with pytest.raises(AudioError, match="more than the 12 % or 1 s"):
        load_audio(path)
    monkeypatch.setenv("MIRLOOP_MAX_DAMAGE", "none")
    assert load_audio(path).damage is not None
    monkeypatch.setenv("MIRLOOP_MAX_DAMAGE", "a lot")
    with pytest.raises(ConfigError, match=r"MIRLOOP_MAX_DAMAGE='a lot' is not a damage limit.*20%,60s"):
        load_audio(path)


def test_a_whole_file_carries_no_damage(tmp_path: Path) -> None:
    assert load_audio(ogg(tmp_path / "whole.ogg", 20.0)).damage is None
    assert load_audio(wav(tmp_path / "whole.wav", 20.0)).damage is None


@pytest.mark.parametrize(
    ("frames", "rate"), [(13, 22050), (1997, 22050), (6000, 22050), (7, 48000), (2007, 16000)]
)
def test_a_whole_file_of_any_length_carries_no_damage(tmp_path: Path, frames: int, rate: int) -> None:
    # frames / rate * rate exceeds frames by a rounding error for about 8 % of lengths: such a file
    # was flagged as missing 0.00 s of its audio
    import numpy as np
    import soundfile as sf

    assert frames / rate * rate > frames
    for suffix in ("wav", "flac"):
        path = tmp_path / f"whole.{suffix}"
        sf.write(path, np.full(frames, 0.1), rate)
        assert load_audio(path).damage is None


def test_a_temporary_file_of_mirloop_named_as_a_track_is_refused(tmp_path: Path) -> None:
    path = wav(tmp_path / ".song.wav.k2j4h6g8.tmp.wav", 2.0)  # what atomic writes leave when killed

    with pytest.raises(AudioError, match=r"is a temporary file an interrupted mirloop run was writing"):
        load_audio(path)
