"""A loop render made and heard in one pass: the signal the classifier re-classifies, and the
report's OGG player.

The loop hears every render as the training renders were heard
(:func:`mirloop.dataset.render_job.stored_analysis_audio`: mono, 22,050 Hz, 16-bit values) and
writes it as OGG for the report. A render is as long as its track, so a whole render in memory
grows with the track (a 1-h stereo render at 44.1 kHz is 1.3 GB of float32 samples). With the
built-in renderer (without domain randomisation, whose master chain needs the whole mix) the
render is never held whole: its blocks go, as the renderer makes them, into the heard signal
(:class:`mirloop.io.heard_stream.HeardStream`, held in a mapped temporary file for a long
render) and into the OGG encoder. The heard signal and the OGG's samples are those of the
in-memory render, bit for bit. Other renderers return their whole result, which is heard and
written the same way and then dropped.
"""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import frozen

from mirloop.loop.renders import LoopRender, render_failure, run_render
from mirloop.signal import ANALYSIS_SR
from mirloop.timeline import TimelineWarning

if TYPE_CHECKING:
    from mirloop.renderer.options import RenderOptions
    from mirloop.types import Audio

#: Sample rate (Hz) of the report's OGG players: the analysis rate, so that one resampled signal
#: feeds both the player and the classifier.
PLAYER_SR = ANALYSIS_SR


@frozen(eq=False)
class HeardRender:
    """A finished render as the loop keeps it (``heard``: the stored analysis signal; ``ogg``: the
    player written, if asked for) or a failed one (``error``)."""

    job: LoopRender
    heard: Audio | None = None
    ogg: Path | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.heard is not None


def hear_render(job: LoopRender, renderer: Any, *, ogg: Path | None = None) -> HeardRender:
    """Render ``job``, keeping only what the loop uses of it; with ``ogg``, write the player there
    (mono Ogg Vorbis at :data:`PLAYER_SR`, as :func:`mirloop.io.audio_out.write_ogg`).

    A failure of the renderer becomes ``error``, never an exception; a failure to write a file
    (``OSError``) is raised, as every other write of the track's files is, and leaves no file.
    """
    from mirloop.renderer.backend import streamed_options

    options = streamed_options(renderer)
    if options is None:
        return _hear_whole(job, renderer, ogg)
    try:
        return _hear_streamed(job, options, ogg)
    except OSError:
        raise
    except Exception as exc:  # a renderer bug must not stop the loop
        return HeardRender(job, error=render_failure(exc))


def _hear_whole(job: LoopRender, renderer: Any, ogg: Path | None) -> HeardRender:
    """A renderer that returns its whole result: hear it, write its player, drop it."""
    from mirloop.dataset.render_job import stored_analysis_audio
    from mirloop.io.audio_out import write_ogg

    outcome = run_render(job, renderer)
    if outcome.audio is None:
        return HeardRender(job, error=outcome.error)
    written = write_ogg(outcome.audio, ogg, sr=PLAYER_SR) if ogg is not None else None
    return HeardRender(job, stored_analysis_audio(outcome.audio), written)


def _hear_streamed(job: LoopRender, options: RenderOptions, ogg: Path | None) -> HeardRender:
    """The built-in renderer's blocks into the heard signal and the player, one block at a time."""
    from mirloop.io.audio_out import open_audio_file
    from mirloop.io.heard_stream import HeardStream
    from mirloop.renderer.api import prepare_streamed

    with warnings.catch_warnings(), contextlib.ExitStack() as files:
        warnings.simplefilter("ignore", TimelineWarning)  # tempi clamped into the descriptor's range
        prepared = prepare_streamed(job.timeline, seed=job.seed, config=options)
        player = None if ogg is None else files.enter_context(open_audio_file(ogg, PLAYER_SR, 1, clip=True))
        stream = HeardStream(prepared.options.sr, prepared.n_samples, out_sr=ANALYSIS_SR, preview=player,
                             source=", ".join(p.descriptor.name for p in prepared.plans))
        for block in prepared.blocks():
            stream.push(block.mix.T)
        heard = stream.result()
    return HeardRender(job, heard, ogg)


__all__ = ["PLAYER_SR", "HeardRender", "hear_render"]
