"""A track render's files made in one pass as the built-in renderer makes its blocks.

:func:`stream_files` writes what :func:`mirloop.serve.web.render_job.write_files` writes of a
whole render — ``<name>.wav`` with its MIDI, JAMS and stems (:func:`mirloop.renderer.writers.
write_streamed_render`), ``.flac``, the player's ``.ogg``, ``.waveform.json``,
``.timeline.json`` and the stems' zip — and keeps the signal the classifier hears
(:class:`mirloop.io.heard_stream.HeardStream`), without ever holding the render whole: memory
does not grow with the render's length. The files hold the samples of the in-memory render of
the same timeline and seed. Each file appears whole or not at all; a failing render leaves
none of them.
"""

from __future__ import annotations

import contextlib
import json
import warnings
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from attrs import field, frozen

from mirloop.errors import OutputError
from mirloop.signal import ANALYSIS_SR

if TYPE_CHECKING:
    from mirloop.loop.renders import LoopRender
    from mirloop.renderer.options import RenderOptions
    from mirloop.types import Audio

#: Sample rate (Hz) of the players' OGG files: :func:`mirloop.io.audio_out.write_ogg`'s default,
#: the analysis rate, so that one resampled signal feeds both the player and the classifier.
PLAYER_SR = ANALYSIS_SR


@frozen(eq=False)
class MadeRender:
    """A render whose files are written (``signal``: what the classifier hears; ``files``: the
    downloads by kind, as ``renders.json`` lists them) or a failed one (``error``)."""

    signal: Audio | None = None
    files: dict[str, Any] = field(factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.signal is not None


def stream_files(job: LoopRender, options: RenderOptions, workdir: Path) -> MadeRender:
    """Render ``job`` with the built-in renderer's ``options`` block by block into its files in
    ``workdir/<name>/``. A failure of the renderer becomes ``error``; a failure to write
    (:class:`OSError`, :class:`~mirloop.errors.OutputError`) is raised."""
    from mirloop.loop.renders import render_failure

    folder = workdir / job.name
    folder.mkdir(parents=True, exist_ok=True)
    try:
        signal = _stream(job, options, folder)
    except (OSError, OutputError):
        raise
    except Exception as exc:  # a renderer bug fails this render, not the job
        with contextlib.suppress(OSError):
            folder.rmdir()  # empty: every file of the render appears whole or not at all
        return MadeRender(error=render_failure(exc))
    write_timeline(job, folder)
    return MadeRender(signal=signal, files=listed_files(folder, job.name, stems=options.stems))


def _stream(job: LoopRender, options: RenderOptions, folder: Path) -> Audio:
    """The render's audio files and waveform, written in one pass; the heard signal."""
    from mirloop.io.audio_out import open_audio_file
    from mirloop.io.heard_stream import HeardStream
    from mirloop.renderer.api import prepare_streamed
    from mirloop.renderer.writers import write_streamed_render
    from mirloop.serve.web.media import WaveformPeaks, write_waveform_of
    from mirloop.timeline import TimelineWarning

    name = job.name
    with warnings.catch_warnings(), contextlib.ExitStack() as files:
        warnings.simplefilter("ignore", TimelineWarning)  # tempi clamped into the descriptor's range
        prepared = prepare_streamed(job.timeline, seed=job.seed, config=options)
        sr, frames = prepared.options.sr, prepared.n_samples
        flac = files.enter_context(open_audio_file(folder / f"{name}.flac", sr, 2))
        player = files.enter_context(open_audio_file(folder / f"{name}.ogg", PLAYER_SR, 1, clip=True))
        source = ", ".join(p.descriptor.name for p in prepared.plans)
        heard = HeardStream(sr, frames, out_sr=PLAYER_SR, preview=player, source=source)
        peaks = WaveformPeaks(frames, sr)

        def take(block: np.ndarray) -> None:
            flac.write(block)
            heard.push(block)
            peaks.push(block)

        write_streamed_render(prepared, folder / f"{name}.wav", midi=True, stems=options.stems, jams=True,
                              listener=take)
        signal = heard.result()
        write_waveform_of(peaks.result(), folder / f"{name}.waveform.json")
    return signal


def write_timeline(job: LoopRender, folder: Path) -> Path:
    """The render's Amper timeline as ``<name>.timeline.json`` (written atomically)."""
    from mirloop.io.atomic import atomic_open

    path = folder / f"{job.name}.timeline.json"
    with atomic_open(path, "w") as handle:
        handle.write(json.dumps(job.timeline.to_json(wrap=True), indent=1))
    return path


def listed_files(folder: Path, name: str, *, stems: bool) -> dict[str, Any]:
    """The downloads of the render ``name`` in ``folder`` by kind, as ``renders.json`` lists them;
    with ``stems``, the stems folder's files zipped into ``<name>_stems.zip`` (written atomically)."""
    from mirloop.io.atomic import atomic_path

    files: dict[str, Any] = {
        kind: f"{name}/{name}{suffix}"
        for kind, suffix in (
            ("wav", ".wav"), ("flac", ".flac"), ("midi", ".mid"), ("jams", ".jams"),
            ("timeline", ".timeline.json"), ("ogg", ".ogg"), ("waveform", ".waveform.json"),
        )
    }
    if stems:
        wavs = sorted((folder / f"{name}_stems").glob("*.wav"))
        with atomic_path(folder / f"{name}_stems.zip") as temporary, zipfile.ZipFile(
            temporary, "w", zipfile.ZIP_DEFLATED
        ) as archive:
            for wav in wavs:
                archive.write(wav, f"{name}_stems/{wav.name}")
        files["stems"] = f"{name}/{name}_stems.zip"
        files["stem_files"] = [f"{name}/{name}_stems/{wav.name}" for wav in wavs]
    return files


__all__ = ["PLAYER_SR", "MadeRender", "listed_files", "stream_files", "write_timeline"]
