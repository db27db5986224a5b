"""The loop's renders are heard as they are made: the built-in renderer's blocks go straight into
the signal the classifier hears and the report's OGG player, which hold the samples of the
whole render, and the render itself is never held whole."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from mirloop.dataset.render_job import stored_analysis_audio
from mirloop.io.audio_out import write_ogg
from mirloop.loop.hearing import HeardRender, hear_render
from mirloop.loop.reduce import Candidates
from mirloop.loop.renders import LoopRender, plan_single
from mirloop.renderer.backend import MirloopRenderer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")


def _job(seconds: float) -> LoopRender:
    candidates = Candidates(("rock_indie_driving",), (120.0,), ("E minor",))
    return plan_single("t", candidates, seconds, seed=3)[0]


class WholeRenderer:
    """A renderer returning its whole result, as every renderer but the built-in one does (here
    the built-in renderer itself behind another type)."""

    def __init__(self, **options: Any) -> None:
        self.inner = MirloopRenderer(**options)

    def render(self, timeline: Any, seed: int | None = None) -> Any:
        return self.inner.render(timeline, seed=seed)


def test_a_streamed_render_is_heard_and_played_as_the_whole_render(tmp_path: Path) -> None:
    job = _job(4.0)  # rendered at 44.1 kHz stereo: mixed down and resampled on the way
    streamed = hear_render(job, MirloopRenderer(soundfont="bundled"), ogg=tmp_path / "streamed.ogg")
    whole = hear_render(job, WholeRenderer(soundfont="bundled"), ogg=tmp_path / "whole.ogg")

    render = MirloopRenderer(soundfont="bundled").render(job.timeline, seed=job.seed)
    reference = stored_analysis_audio(render.audio)
    write_ogg(render.audio, tmp_path / "reference.ogg")
    assert streamed.heard is not None and whole.heard is not None
    assert streamed.heard.sr == reference.sr == 22050
    assert np.array_equal(streamed.heard.samples, reference.samples)
    assert np.array_equal(whole.heard.samples, reference.samples)
    played = {name: sf.read(tmp_path / f"{name}.ogg", dtype="float32")[0]
              for name in ("streamed", "whole", "reference")}
    assert len(played["reference"]) == len(reference.samples)
    assert np.array_equal(played["streamed"], played["reference"])
    assert np.array_equal(played["whole"], played["reference"])


def test_without_a_player_nothing_is_written(tmp_path: Path) -> None:
    heard = hear_render(_job(1.0), MirloopRenderer(soundfont="bundled", sr=22050))
    assert heard.ok and heard.ogg is None and heard.heard is not None and heard.heard.n_samples == 22050


def test_a_render_failing_halfway_leaves_no_player_and_becomes_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mirloop.renderer.production import Prepared

    blocks = Prepared.blocks

    def one_block_then_fail(self: Prepared, **kwargs: Any) -> Any:
        yield next(iter(blocks(self, **kwargs)))
        raise RuntimeError("synthesizer crashed")

    monkeypatch.setattr(Prepared, "blocks", one_block_then_fail)
    heard = hear_render(_job(4.0), MirloopRenderer(soundfont="bundled"), ogg=tmp_path / "renders" / "a.ogg")

    assert isinstance(heard, HeardRender) and not heard.ok and heard.heard is None
    assert "unexpected RuntimeError: synthesizer crashed" in str(heard.error)
    assert list((tmp_path / "renders").iterdir()) == []


def test_a_full_disk_while_playing_fails_loudly_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mirloop.io.audio_out import AudioFileWriter

    def no_space(self: AudioFileWriter, block: np.ndarray) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(AudioFileWriter, "_encode", no_space)
    with pytest.raises(OSError, match="No space"):
        hear_render(_job(4.0), MirloopRenderer(soundfont="bundled"), ogg=tmp_path / "a.ogg")
    assert list(tmp_path.iterdir()) == []  # neither the player nor its temporary file


def _traced_peak(job: LoopRender, renderer: Any, folder: Path) -> int:
    tracemalloc.start()
    try:
        heard = hear_render(job, renderer, ogg=folder / f"{job.timeline.duration:g}.ogg")
        assert heard.ok
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_memory_of_hearing_a_render_grows_with_the_heard_signal_only(tmp_path: Path) -> None:
    streamed, whole = MirloopRenderer(soundfont="bundled"), WholeRenderer(soundfont="bundled")
    _traced_peak(_job(1.0), streamed, tmp_path)  # the soundfont and what every render imports
    render_growth = (16.0 - 4.0) * 44100 * 2 * 4  # stereo float32 samples of 12 s at 44.1 kHz
    heard_growth = (16.0 - 4.0) * 22050 * 4  # what is kept: mono float32 at 22,050 Hz

    def growth(renderer: Any) -> int:
        return _traced_peak(_job(16.0), renderer, tmp_path) - _traced_peak(_job(4.0), renderer, tmp_path)

    assert growth(whole) > render_growth  # the measure sees the whole render
    assert growth(streamed) < heard_growth + 0.2 * render_growth
