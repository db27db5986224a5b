"""Files written by a render: audio formats, MIDI, stems, JAMS ground truth — all atomic."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import jams
import numpy as np
import pytest
import soundfile as sf

from mirloop.errors import OutputError, RenderError
from mirloop.renderer import RenderResult, render_descriptor, write_render
from mirloop.renderer.writers import STEMS_MANIFEST, write_audio
from tests.renderer.conftest import FAST


@pytest.fixture(scope="module")
def result() -> RenderResult:
    return render_descriptor("pop_synth_happy", 4.0, seed=9, key="D major", config={**FAST, "stems": True})


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".ogg"])
def test_audio_is_written_in_the_format_of_its_suffix(
    result: RenderResult, tmp_path: Path, suffix: str
) -> None:
    written = write_render(result, tmp_path / f"song{suffix}", jams=False)
    info = sf.info(str(written["audio"]))
    assert (info.samplerate, info.channels, info.frames) == (22050, 2, result.audio.n_samples)


def test_midi_stems_and_jams_are_written_next_to_the_audio(result: RenderResult, tmp_path: Path) -> None:
    written = write_render(result, tmp_path / "song.wav", midi=True, stems=True)
    assert written["midi"] == tmp_path / "song.mid" and written["midi"].read_bytes() == result.midi
    stems = sorted(p.name for p in (tmp_path / "song_stems").iterdir() if p.name != STEMS_MANIFEST)
    assert stems == sorted(f"{name}.wav" for name in result.stems or {})
    assert json.loads((tmp_path / "song_stems" / STEMS_MANIFEST).read_text())["files"] == stems
    assert result.stems and set(result.stems) == {
        name for region in result.truth.regions for name in region.instruments
    }, "one stem per instrument of the band"
    mix = sf.read(str(written["audio"]))[0]
    summed = sum(sf.read(str(tmp_path / "song_stems" / name))[0] for name in stems)
    assert np.corrcoef(mix[:, 0], summed[:, 0])[0, 1] > 0.8, "the stems add up to (nearly) the mix"
    jam = jams.load(str(tmp_path / "song.jams"), validate=True)
    namespaces = {a.namespace for a in jam.annotations}
    assert {"beat", "tempo", "key_mode", "segment_open", "tag_open"} <= namespaces
    key = jam.search(namespace="key_mode")[0].data[0].value
    assert key == "D:major"
    tags = {o.value for a in jam.search(namespace="tag_open") for o in a.data}
    assert "pop_synth_happy" in tags and "mood:happy" in tags
    assert len(jam.search(namespace="beat")[0].data) == len(result.truth.beats)


def test_a_failed_write_leaves_no_file_behind(
    result: RenderResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = sf.SoundFile.write

    def broken_write(self: sf.SoundFile, data: object) -> None:
        real_write(self, data)  # part of the audio reaches the disk, then the disk is full
        raise OSError("disk full")

    monkeypatch.setattr(sf.SoundFile, "write", broken_write)
    failed = r"song\.wav: writing the render failed \(disk full\); none of its files"
    with pytest.raises(OutputError, match=failed):
        write_render(result, tmp_path / "song.wav", midi=True, stems=True)
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_while_writing_the_jams_leaves_none_of_the_set(
    result: RenderResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mirloop.renderer import writers

    def disk_full(*args: object, **kwargs: object) -> Path:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as patch:
        patch.setattr(writers, "write_jams", disk_full)  # audio, MIDI and stems already written
        with pytest.raises(OutputError, match="No space left on device"):
            write_render(result, tmp_path / "song.wav", midi=True, stems=True)
    assert list(tmp_path.iterdir()) == []

    # the rerun completes the set
    written = write_render(result, tmp_path / "song.wav", midi=True, stems=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.jams", "song.mid", "song.wav", "song_stems"]
    assert set(written) == {"audio", "midi", "stems", "jams"}


def test_an_unknown_audio_suffix_is_refused(result: RenderResult, tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"\.wav, \.flac, \.ogg or \.mp3"):
        write_audio(result.audio, tmp_path / "song.mp4")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("randomize", ["none", "mix"])
def test_stream_to_file_writes_the_same_audio_as_rendering_in_memory(tmp_path: Path, randomize: str) -> None:
    from mirloop.catalog import load_catalog
    from mirloop.renderer.api import descriptor_plan
    from mirloop.renderer.options import RenderOptions
    from mirloop.renderer.production import render_plans, stream_plans_to_file

    plan = descriptor_plan(load_catalog()["rock_indie_happy"], 3.0, 5)
    options = RenderOptions(**FAST, randomize=randomize)
    stream_plans_to_file([plan], 3.0, 5, options, tmp_path / "s.wav", subtype="FLOAT")
    streamed = sf.read(str(tmp_path / "s.wav"), dtype="float32")[0].T
    in_memory = render_plans([plan], 3.0, 5, options).audio.samples
    np.testing.assert_array_equal(streamed, in_memory)


def test_stems_never_replace_a_folder_mirloop_did_not_write(result: RenderResult, tmp_path: Path) -> None:
    kept = tmp_path / "song_stems"
    kept.mkdir()
    (kept / "my-vocals.wav").write_bytes(b"the only take")
    (kept / "drums.wav").write_bytes(b"my own drums")

    with pytest.raises(OutputError, match=r"song_stems already holds files mirloop did not write \(drums"):
        write_render(result, tmp_path / "song.wav", stems=True)

    assert (kept / "my-vocals.wav").read_bytes() == b"the only take"
    assert (kept / "drums.wav").read_bytes() == b"my own drums"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song_stems"]  # nothing else was written


def test_a_rerun_replaces_mirloops_own_stems_whole(result: RenderResult, tmp_path: Path) -> None:
    write_render(result, tmp_path / "song.wav", stems=True)
    stale = tmp_path / "song_stems" / f"{sorted(result.stems or {})[0]}.wav"
    stale.write_bytes(b"an older render")  # mirloop's own file, rewritten by the next render

    write_render(result, tmp_path / "song.wav", stems=True)

    assert sf.info(str(stale)).frames == result.audio.n_samples
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.jams", "song.wav", "song_stems"]


def test_a_file_added_to_mirloops_stems_folder_keeps_it_from_being_replaced(
    result: RenderResult, tmp_path: Path
) -> None:
    write_render(result, tmp_path / "song.wav", stems=True)
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "song_stems").iterdir()}
    (tmp_path / "song_stems" / "mix-notes.txt").write_text("keep the bass low")

    with pytest.raises(OutputError, match=r"mix-notes\.txt"):
        write_render(result, tmp_path / "song.wav", stems=True)

    after = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "song_stems").iterdir()}
    assert after == {**before, "mix-notes.txt": after["mix-notes.txt"]}


def test_a_file_in_the_way_of_the_stems_folder_is_refused(result: RenderResult, tmp_path: Path) -> None:
    (tmp_path / "song_stems").write_text("a file, not a folder")

    with pytest.raises(OutputError, match="not a stems folder mirloop wrote"):
        write_render(result, tmp_path / "song.wav", stems=True)
    assert (tmp_path / "song_stems").read_text() == "a file, not a folder"
