"""One track through the loop: analyse → reduce → render → re-classify, into the track's folder.

:func:`loop_track` runs it and never raises: a failure ends up in the returned :class:`TrackLoop`,
whose rows (:mod:`mirloop.loop.rows`) feed the report's tables.
"""

from __future__ import annotations

import json
import shutil
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np
from attrs import define, field

from mirloop.config import Config
from mirloop.errors import MirloopError
from mirloop.io.audio_out import write_ogg
from mirloop.loop.configuration import render_analysis_config
from mirloop.loop.hearing import HeardRender, hear_render
from mirloop.loop.merge import merged_grid
from mirloop.loop.reduce import Candidates, reduce_segments, segment_majorities, top_candidates
from mirloop.loop.renders import SINGLE, plan_multi, plan_single
from mirloop.loop.rows import (
    AgreementRow,
    BoundaryRow,
    MultiRow,
    SingleRow,
    agreement_rows,
    combo,
    multi_rows,
    single_rows,
)
from mirloop.loop.scores import boundary_fidelity
from mirloop.loop.settings import LoopSettings
from mirloop.pipelines.analyze import analyze_file, analyze_samples
from mirloop.types import Segment
from mirloop.types.descriptor import TARGETS


@define
class TrackLoop:
    """Everything the loop found and made for one track: the table rows (:mod:`mirloop.loop.rows`),
    and per render a plain dict for the JSON report (``renders``)."""

    name: str
    source: str
    #: The track's output folder ``OUT/<name>``.
    folder: str = ""
    ok: bool = True
    error: str | None = None
    skipped: str | None = None
    duration: float = 0.0
    flags: tuple[str, ...] = ()
    #: Near-silent stretches of the input, ``(start, end)`` seconds (:mod:`mirloop.signal.quiet`).
    near_silent: tuple[tuple[float, float], ...] = ()
    seconds: float = 0.0
    candidates: Candidates | None = None
    segments: Any = None  # pandas DataFrame of the reduced segments
    renders: list[dict[str, Any]] = field(factory=list)
    single: list[SingleRow] = field(factory=list)
    multi: list[MultiRow] = field(factory=list)
    agreement: list[AgreementRow] = field(factory=list)
    boundaries: list[BoundaryRow] = field(factory=list)
    input_descriptors: list[str] = field(factory=list)
    #: What the figure plots of the input (``input``) and of the first multi-region render
    #: (``multi``: its curves and job), until :func:`write_media` draws it
    #: (:class:`mirloop.loop.figures.InputCurves`, :class:`~mirloop.loop.figures.RenderCurves`).
    figures: dict[str, Any] = field(factory=dict)
    #: Files for the HTML report, relative to the report folder: ``figure``, ``input_audio``.
    media: dict[str, str] = field(factory=dict)
    #: Seconds spent per phase: ``analysis`` (incl. separation), ``peer``, ``render``, ``reclassify``,
    #: ``write``.
    timings: dict[str, float] = field(factory=dict)
    #: Why the peer's view is missing, when its analysis failed.
    peer_error: str | None = None
    #: The complete temporary folder a worker left for the parent to put in place as ``folder``.
    staged: Path | None = None

    def spend(self, phase: str, seconds: float) -> None:
        self.timings[phase] = self.timings.get(phase, 0.0) + seconds

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "folder": self.folder,
            "ok": self.ok,
            "error": self.error,
            "skipped": self.skipped,
            "duration": self.duration,
            "flags": list(self.flags),
            "near_silent": [list(span) for span in self.near_silent],
            "seconds": round(self.seconds, 3),
            "candidates": None if self.candidates is None else self.candidates.to_dict(),
            "timings": {phase: round(seconds, 3) for phase, seconds in self.timings.items()},
            "peer_error": self.peer_error,
            "renders": self.renders,
        }


#: What :func:`loop_track` writes into a track's folder (a rerun replaces these, keeps anything else).
TRACK_FILES = (
    "grid.parquet", "grid.csv", "segments.parquet", "segments.csv", "candidates.json", "timelines", "renders",
    "loop.png", "input.ogg",
)


def loop_track(
    path: Path,
    name: str,
    folder: Path,
    *,
    config: Config,
    renderer: Any,
    catalog: Any,
    settings: LoopSettings,
    bar: Any = None,
    staged: bool = False,
) -> TrackLoop:
    """The whole loop for one track; failures end up in the result, never as an exception.

    The track's files are written into a temporary folder that becomes ``folder`` when the
    track is done (:func:`mirloop.io.atomic.atomic_folder`): a failed or interrupted track
    leaves ``folder`` as it was. With ``staged``, the complete temporary folder is left in
    ``track.staged`` for :func:`commit_track` to put in place.
    """
    from mirloop.io.atomic import atomic_folder

    started = time.perf_counter()
    track = TrackLoop(name=name, source=str(path), folder=str(folder))
    try:
        with atomic_folder(folder, owned=TRACK_FILES, commit=not staged) as staging:
            if staged:
                track.staged = staging
            _loop_track(
                track, path, staging, config=config, renderer=renderer, catalog=catalog, settings=settings,
                bar=bar,
            )
            if settings.html:
                try:
                    write_media(track, staging)
                except Exception as exc:  # a figure must not cost the track its numbers
                    track.media["error"] = f"{type(exc).__name__}: {exc}"
    except MirloopError as exc:
        track.ok, track.error = False, str(exc)
    except Exception as exc:  # keep the other tracks going; say where it broke
        where = traceback.extract_tb(exc.__traceback__)[-1]
        track.ok, track.error = (
            False,
            f"unexpected {type(exc).__name__}: {exc} (at {where.name}:{where.lineno})",
        )
    if not track.ok:
        track.staged = None  # removed with its files
    track.figures.clear()
    track.seconds = time.perf_counter() - started
    return track


def commit_track(track: TrackLoop) -> TrackLoop:
    """Put the folder a worker staged for ``track`` in place (a failure to do so fails the track)."""
    from mirloop.io.atomic import commit_folder

    if track.staged is None:
        return track
    staging, track.staged = track.staged, None
    try:
        commit_folder(staging, Path(track.folder), owned=TRACK_FILES)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        track.ok = False
        track.error = f"{track.folder}: writing the track's files failed ({exc.strerror or exc})"
    return track


def _loop_track(
    track: TrackLoop,
    path: Path,
    folder: Path,
    *,
    config: Config,
    renderer: Any,
    catalog: Any,
    settings: LoopSettings,
    bar: Any,
) -> None:
    from mirloop.io.tables import write_csv, write_parquet

    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    run = analyze_file(path, config=config)
    track.spend("analysis", time.perf_counter() - started)
    track.timings.update({f"analysis.{k}": round(v, 3) for k, v in run.analysis.timings.items()})
    analysis = run.analysis
    track.duration, track.flags, track.near_silent = analysis.duration, analysis.flags, analysis.near_silent
    merged = merged_grid(analysis)
    write_parquet(merged, folder / "grid.parquet")
    write_csv(merged, folder / "grid.csv")
    segments = (
        list(analysis.segmentation.segments)
        if analysis.segmentation is not None
        else [Segment(0.0, analysis.duration, "A")]
    )
    reduced = reduce_segments(merged, segments, catalog)
    if settings.peer:
        reduced = _with_peer(track, run, reduced, segments, config, settings.peer)
    track.segments = reduced
    write_parquet(reduced, folder / "segments.parquet")
    write_csv(reduced, folder / "segments.csv")
    track.input_descriptors = [
        combo({str(k): v for k, v in row.items()}) for row in reduced.to_dict("records")
    ]
    if settings.html:
        _keep_input_media(track, run, folder, audio=settings.audio)
    duration = analysis.duration
    del run, analysis  # every per-frame array of the input: not kept while the renders are made
    if "silent" in track.flags:
        track.skipped = "the input is silent: there is nothing to render"
        return
    candidates = top_candidates(
        merged, catalog, n_descriptors=settings.descriptors, n_tempi=settings.tempi, n_keys=settings.keys
    )
    track.candidates = candidates
    (folder / "candidates.json").write_text(json.dumps(candidates.to_dict(), indent=2))
    if not candidates.descriptors:
        track.skipped = "every window of the input was classified 'unknown': no descriptor to render"
        return
    jobs = plan_single(
        track.name, candidates, duration, seed=settings.seed, tempo_margin=settings.tempo_margin
    )
    jobs += plan_multi(
        track.name,
        reduced,
        renders=settings.renders,
        seed=settings.seed,
        joined=settings.joined,
        tempo_margin=settings.tempo_margin,
    )
    if bar is not None:
        bar.total += len(jobs)
        bar.refresh()
    single_config = render_analysis_config(config, segment=False, listener=settings.listener)
    multi_config = render_analysis_config(config, segment=True, listener=settings.listener)
    for job in jobs:
        started = time.perf_counter()
        player = folder / "renders" / f"{job.name}.ogg" if settings.audio else None
        heard = hear_render(job, renderer, ogg=player)
        track.spend("render", time.perf_counter() - started)
        _record(
            track,
            heard,
            folder,
            segments,
            reduced,
            catalog,
            single_config if job.kind == SINGLE else multi_config,
            figure=settings.html,
        )
        del heard  # a long render's heard signal: no longer than its record needs it
        if bar is not None:
            bar.update()
    track.agreement = agreement_rows(track.name, track.multi, reduced.to_dict("records"), catalog)


def _with_peer(
    track: TrackLoop, run: Any, reduced: Any, segments: list[Segment], config: Config, peer: str
) -> Any:
    """``reduced`` with the peer's view of each segment beside it; a failing peer is noted, not fatal."""
    import pandas as pd

    from mirloop.loop.peer import peer_segments

    started = time.perf_counter()
    try:
        view = peer_segments(run, segments, config, peer)
    except MirloopError as exc:
        track.peer_error = f"peer {peer} failed: {exc}"
        return reduced
    finally:
        track.spend("peer", time.perf_counter() - started)
    return pd.concat([reduced.reset_index(drop=True), view], axis=1)


def _record(
    track: TrackLoop,
    heard: HeardRender,
    folder: Path,
    segments: list[Segment],
    reduced: Any,
    catalog: Any,
    analysis_config: Config,
    *,
    figure: bool,
) -> None:
    job = heard.job
    timeline_path = folder / "timelines" / f"{job.name}.json"
    timeline_path.parent.mkdir(parents=True, exist_ok=True)
    timeline_path.write_text(json.dumps(job.timeline.to_json(wrap=True), indent=1))
    entry: dict[str, Any] = {
        "name": job.name,
        "kind": job.kind,
        "seed": job.seed,
        "descriptor": job.descriptor,
        "timeline": _in_report(track, timeline_path, folder),
        "ok": heard.ok,
        "error": heard.error,
    }
    track.renders.append(entry)
    if heard.heard is None:
        return
    started = time.perf_counter()
    try:  # heard as the training renders were: the stored mono 22,050-Hz 16-bit signal
        run = analyze_samples(heard.heard, config=analysis_config)
    except MirloopError as exc:
        entry.update(ok=False, error=f"re-classification failed: {exc}")
        if heard.ogg is not None:
            heard.ogg.unlink(missing_ok=True)  # a failed render has no player
        return
    finally:
        track.spend("reclassify", time.perf_counter() - started)
    if heard.ogg is not None:
        entry["audio"] = _in_report(track, heard.ogg, folder)
    prediction = run.analysis.prediction
    assert prediction is not None
    if job.kind == SINGLE:
        track.single += single_rows(track.name, job.name, catalog[job.descriptor], prediction)
        entry["predicted_descriptor"] = combo({t: prediction[t].track_label for t in TARGETS})
        return
    merged = merged_grid(run.analysis)
    owned = [segments[i] for i in job.segments]
    track.multi += multi_rows(track.name, job.name, job.segments, segment_majorities(merged, owned))
    estimated = run.analysis.segmentation
    if estimated is not None:
        reference = np.array([[s.start, s.end] for s in segments])
        score = boundary_fidelity(reference, estimated.intervals)
        track.boundaries.append(
            BoundaryRow(
                track.name,
                job.name,
                **score,
                reference_segments=len(segments),
                render_segments=len(estimated.segments),
            )
        )
    if figure and "multi" not in track.figures and "input" in track.figures:
        from mirloop.loop.figures import render_curves

        try:
            track.figures["multi"] = (render_curves(run), job)
        except Exception as exc:  # a figure must not cost the track its numbers
            track.media["error"] = f"{type(exc).__name__}: {exc}"
            track.figures.clear()
    del merged


def _keep_input_media(track: TrackLoop, run: Any, folder: Path, *, audio: bool) -> None:
    """What the report shows of the analysed input, taken while its analysis ``run`` exists: the
    curves its figure plots and, with ``audio``, the input's player ``input.ogg``. A failure is
    noted in ``track.media["error"]``; the track goes on."""
    from mirloop.loop.figures import input_curves

    try:
        track.figures["input"] = input_curves(run)
        if audio:
            path = write_ogg(run.context.audio, folder / "input.ogg")
            track.media["input_audio"] = _in_report(track, path, folder)
    except Exception as exc:  # a figure must not cost the track its numbers
        track.media["error"] = f"{type(exc).__name__}: {exc}"
        track.figures.clear()


def write_media(track: TrackLoop, folder: Path) -> None:
    """The track's figure (``loop.png``), from the curves kept of its input and of its first
    multi-region render (the input's ``input.ogg`` was written when its curves were taken)."""
    from mirloop.loop.figures import track_figure

    source = track.figures.get("input")
    if source is None:
        return
    multi = track.figures.get("multi")
    figure = track_figure(
        source,
        multi[0] if multi else None,
        folder / "loop.png",
        title=f"{track.name}: input (grey) and {multi[1].name if multi else 'no'} multi-region render "
        "(blue); red dashes = input boundaries, blue dots = boundaries found in the render",
    )
    track.media["figure"] = _in_report(track, figure, folder)


def _in_report(track: TrackLoop, path: Path, folder: Path) -> str:
    """``path`` (a file in ``folder``, where the track's files are being written) as the report
    links it: relative to the report folder, inside the track's final folder."""
    return (Path(Path(track.folder).name) / path.relative_to(folder)).as_posix()



__all__ = ["TRACK_FILES", "TrackLoop", "commit_track", "loop_track", "write_media"]
