"""Renders written to a file stream block by block, with their stems: the same bytes as an
in-memory render, in memory that does not grow with the length, and past the in-memory limit
instead of refused; a failure leaves none of the files."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from mirloop.cli.main import main
from mirloop.errors import OutputError, RenderError
from mirloop.renderer.api import prepare_streamed, render
from mirloop.renderer.writers import write_render, write_streamed_render
from mirloop.timeline import single_region
from tests.renderer.conftest import FAST

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")


def _timeline(seconds: float) -> object:
    return single_region("rock_indie_driving", seconds, tempo=130.0, key="A minor", seed=3)


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_a_streamed_render_writes_the_bytes_of_an_in_memory_render(tmp_path: Path, suffix: str) -> None:
    timeline = _timeline(3.0)

    streamed = write_streamed_render(prepare_streamed(timeline, seed=5, config=FAST),
                                     tmp_path / "streamed" / f"song{suffix}", midi=True)
    in_memory = write_render(render(timeline, seed=5, config=FAST), tmp_path / "memory" / f"song{suffix}",
                             midi=True)

    assert sorted(streamed) == sorted(in_memory) == ["audio", "jams", "midi"]
    for kind in ("audio", "midi", "jams"):
        assert streamed[kind].read_bytes() == in_memory[kind].read_bytes(), kind


def test_a_streamed_ogg_render_decodes_to_the_in_memory_renders_samples(tmp_path: Path) -> None:
    import numpy as np
    import soundfile as sf

    # Blocks of 960 frames: the encoder is still handed the blocks the whole-array writer cuts
    # (a Vorbis stream cut elsewhere decodes to other samples; tests/io/test_audio_writer.py).
    timeline, config = _timeline(4.0), {**FAST, "block": 960}
    streamed = write_streamed_render(prepare_streamed(timeline, seed=5, config=config), tmp_path / "s.ogg")
    in_memory = write_render(render(timeline, seed=5, config=config), tmp_path / "m.ogg")

    samples = sf.read(streamed["audio"], dtype="float32")[0]
    assert len(samples) == 4 * FAST["sr"]
    assert np.array_equal(samples, sf.read(in_memory["audio"], dtype="float32")[0])


def _traced_peak(call: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("stems", [False, True])
def test_the_memory_of_a_streamed_render_does_not_grow_with_its_length(tmp_path: Path, stems: bool) -> None:
    config = {**FAST, "stems": stems}

    def streamed(seconds: float) -> int:
        prepared = prepare_streamed(_timeline(seconds), seed=5, config=config)
        return _traced_peak(
            lambda: write_streamed_render(prepared, tmp_path / f"s{seconds:g}-{stems}.wav", stems=stems)
        )

    def in_memory(seconds: float) -> int:
        return _traced_peak(lambda: render(_timeline(seconds), seed=5, config=config))

    streamed(1.0)  # the first render loads the soundfont and imports what every render uses
    samples_growth = (16.0 - 4.0) * FAST["sr"] * 2 * 4  # stereo float32 samples of 12 s

    assert in_memory(16.0) - in_memory(4.0) > 0.8 * samples_growth  # the measure sees the mix buffer
    assert streamed(16.0) - streamed(4.0) < 0.2 * samples_growth


def test_mirloop_render_streams_past_the_in_memory_limit_with_stems_and_keeps_it_for_randomised_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MIRLOOP_MAX_RENDER_SECONDS", "1.5")
    args = ["render", "--descriptor", "rock_indie_driving", "--duration", "2", "--seed", "1",
            "--sr", "22050", "--soundfont", "bundled"]

    assert main([*args, "-o", str(tmp_path / "streamed.wav")]) == 0
    assert (tmp_path / "streamed.wav").exists() and (tmp_path / "streamed.jams").exists()
    assert main([*args, "--stems", "-o", str(tmp_path / "stems.wav")]) == 0
    assert (tmp_path / "stems.wav").exists() and any((tmp_path / "stems_stems").glob("*.wav"))

    assert main([*args, "--set", "renderer.randomize=mix", "-o", str(tmp_path / "mixed.wav")]) == 2
    assert "past the limit of 1.5 s" in capsys.readouterr().err
    assert not (tmp_path / "mixed.wav").exists()


def test_streamed_stems_are_the_bytes_of_in_memory_stems(tmp_path: Path) -> None:
    timeline, stems = _timeline(3.0), {**FAST, "stems": True}

    streamed = write_streamed_render(prepare_streamed(timeline, seed=5, config=stems),
                                     tmp_path / "streamed" / "song.wav", stems=True)
    in_memory = write_render(render(timeline, seed=5, config=stems), tmp_path / "memory" / "song.wav",
                             stems=True)

    assert sorted(streamed) == sorted(in_memory) == ["audio", "jams", "stems"]
    assert streamed["audio"].read_bytes() == in_memory["audio"].read_bytes()
    files = sorted(p.name for p in in_memory["stems"].iterdir())
    assert len(files) > 2 and sorted(p.name for p in streamed["stems"].iterdir()) == files
    for name in files:  # every stem and the manifest
        assert (streamed["stems"] / name).read_bytes() == (in_memory["stems"] / name).read_bytes(), name


def test_a_streamed_render_failing_halfway_leaves_no_file_and_no_stems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mirloop.renderer.production import Prepared

    blocks = Prepared.blocks

    def two_blocks_then_fail(self: Prepared, **kwargs: object) -> object:
        made = iter(blocks(self, **kwargs))
        yield next(made)
        yield next(made)
        raise RuntimeError("synthesizer crashed")

    prepared = prepare_streamed(_timeline(3.0), seed=5, config={**FAST, "stems": True, "block": 4096})
    monkeypatch.setattr(Prepared, "blocks", two_blocks_then_fail)
    with pytest.raises(RuntimeError, match="synthesizer crashed"):
        write_streamed_render(prepared, tmp_path / "song.wav", midi=True, stems=True)
    assert list(tmp_path.iterdir()) == []


def test_streamed_stems_need_the_stems_option_and_never_replace_a_users_folder(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="no stems; render with the option stems=true"):
        write_streamed_render(prepare_streamed(_timeline(1.0), seed=5, config=FAST), tmp_path / "a.wav",
                              stems=True)
    kept = tmp_path / "b_stems" / "notes.txt"
    kept.parent.mkdir()
    kept.write_text("mine")
    prepared = prepare_streamed(_timeline(1.0), seed=5, config={**FAST, "stems": True})
    with pytest.raises(OutputError, match="did not write"):
        write_streamed_render(prepared, tmp_path / "b.wav", stems=True)
    assert kept.read_text() == "mine" and sorted(p.name for p in tmp_path.iterdir()) == ["b_stems"]


def test_a_streamed_render_has_a_limit_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIRLOOP_MAX_STREAMED_RENDER_SECONDS", "1.5")

    with pytest.raises(RenderError, match=r"past the limit of 1\.5 s .*MIRLOOP_MAX_STREAMED_RENDER_SECONDS"):
        prepare_streamed(_timeline(2.0), seed=1, config=FAST)
