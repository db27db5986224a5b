"""The feedback loop over reference tracks: analyse → reduce → render → re-classify → score.

For every track: separate and analyse it (:mod:`mirloop.pipelines.analyze`), merge every stage
on the 2-s grid and reduce it per form segment (:mod:`mirloop.loop.reduce`), render the
single-region candidates and the multi-region variations with the configured renderer
(:mod:`mirloop.loop.renders`), analyse every render with the same classifier, and score
accuracy, consistency, boundary fidelity and spread (:mod:`mirloop.loop.scores`). A track or a
render that fails is reported and the rest goes on. Everything is written under ``out_dir``
(see :func:`mirloop.loop.report.write_report`).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from attrs import define, field, frozen

from mirloop.classify.backend import DEFAULT_KIND
from mirloop.config import Config, load_config
from mirloop.dataset.render_job import stored_analysis_audio
from mirloop.errors import MirloopError, ModelError
from mirloop.executors.base import Executor
from mirloop.loop.merge import merged_grid
from mirloop.loop.reduce import Candidates, reduce_segments, segment_majorities, top_candidates
from mirloop.loop.renders import (
    SINGLE,
    TEMPO_MARGIN,
    LoopRender,
    RenderOutcome,
    plan_multi,
    plan_single,
    run_render,
)
from mirloop.loop.scores import boundary_fidelity
from mirloop.model import Audio, Segment
from mirloop.model.descriptor import TARGETS
from mirloop.model.prediction import UNKNOWN
from mirloop.pipelines.analyze import analyze_file, analyze_samples, validate_analysis_config

#: Separator used when separation is on and the configuration names none.
DEFAULT_SEPARATOR = "repet"


@frozen
class LoopSettings:
    """How many renders to make and how.

    ``renders``: multi-region renders per track; ``descriptors``/``tempi``/``keys``: how many top
    candidates of each are combined into single-region renders; ``seed`` seeds every render;
    ``joined``: multi-region renders play the segments as sections of one piece
    (:func:`mirloop.timeline.multi_region`); ``separate``: strip vocals before analysis;
    ``audio``: write OGG files for the HTML report; ``tempo_margin``: share of a descriptor's tempo
    range kept clear at either end when the track's tempo is fitted to it
    (:func:`mirloop.loop.renders.fit_tempo`); ``peer``: a second listener whose view of each input
    segment is shown beside the classifier's (``CLASSIFIER[:FEATURES]`` backends, ``""`` for none;
    :mod:`mirloop.loop.peer`).
    """

    renders: int = 10
    descriptors: int = 2
    tempi: int = 1
    keys: int = 1
    seed: int = 0
    joined: bool = True
    separate: bool = True
    audio: bool = True
    html: bool = True
    tempo_margin: float = TEMPO_MARGIN
    peer: str = ""


@define
class TrackLoop:
    """Everything the loop found and made for one track (records are plain dicts for tables)."""

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
    single: list[dict[str, Any]] = field(factory=list)
    multi: list[dict[str, Any]] = field(factory=list)
    agreement: list[dict[str, Any]] = field(factory=list)
    boundaries: list[dict[str, Any]] = field(factory=list)
    input_descriptors: list[str] = field(factory=list)
    #: The input's and the first multi-region render's analysis runs, until :func:`write_media` uses them.
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


def read_model_kind(model: str | os.PathLike[str]) -> str:
    """``knn`` or ``mlp``: the kind of the model directory written by ``mirloop train``."""
    path = Path(model) / "model.json"
    try:
        kind = json.loads(path.read_text())["info"]["kind"]
    except FileNotFoundError:
        raise ModelError(
            f"{model} is not a mirloop model ({path.name} is missing); train one with "
            "`mirloop train DATA/ -o MODEL/`"
        ) from None
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{path} is not a readable mirloop model file ({exc}); retrain the model") from None
    return str(kind)


def loop_config(
    config: Config | Any = None, *, model: str | os.PathLike[str] | None = None, separate: bool = True
) -> Config:
    """The analysis configuration of the loop: ``model`` picks the classifier (its kind and path),
    else the configured classifier, else the model shipped with mirloop; separation on uses
    :data:`DEFAULT_SEPARATOR` unless another separator is configured. A model that cannot be
    read, or was made for other features or another catalog, is refused here
    (:class:`~mirloop.errors.ModelError`)."""
    resolved = config if isinstance(config, Config) else load_config(config)
    if model is not None:
        resolved = resolved.merged(
            {"classifier": {"backend": read_model_kind(model), "model": str(model)}}, "--model"
        )
    if not separate:
        resolved = resolved.merged({"separator": {"backend": "none"}}, "--no-separation")
    elif resolved.backend("separator") == "none":
        resolved = resolved.merged({"separator": {"backend": DEFAULT_SEPARATOR}}, "loop default")
    if resolved.backend("classifier") == "none":  # the loop classifies: the shipped model by default
        # (not the real-music default of `mirloop classify`: with it as the input's classifier the
        # loop's multi-region consistency fell under .90 on mood, valence and momentum; docs/loop.md)
        resolved = resolved.merged({"classifier": {"backend": DEFAULT_KIND}}, "loop default")
    validate_analysis_config(resolved)
    resolved.validate()
    _check_model(resolved)
    return resolved


def _check_model(config: Config) -> None:
    """Load the classifier's model once and refuse it now (:class:`ModelError`) when it cannot serve
    this set-up, instead of failing every track with the same message."""
    from mirloop.classify.setup import check_model_setup
    from mirloop.plugins import registry

    backend = registry().create("classifier", config.backend("classifier"), config.options("classifier"))
    load = getattr(backend, "load", None)
    if callable(load):
        check_model_setup(load(), config)


def heldout_scores(config: Config) -> dict[str, dict[str, float]] | None:
    """The held-out render accuracy per target and descriptor saved with the configured model
    (``MODEL/evaluation/descriptors.json``, written by ``mirloop train``); ``None`` for a
    classifier without a model directory (``model_path``) or a model without the file."""
    from mirloop.classify.evaluation import read_descriptor_scores
    from mirloop.plugins import registry

    backend = registry().create("classifier", config.backend("classifier"), config.options("classifier"))
    try:
        path = backend.model_path() if hasattr(backend, "model_path") else ""
    except ModelError:
        return None
    return read_descriptor_scores(path) if path else None


def render_analysis_config(config: Config, *, segment: bool) -> Config:
    """How renders are analysed: no separation (renders have no vocals); no segmenter unless asked;
    a classifier that tells input domains apart is told these are renders (no real-music adaptation)."""
    from mirloop.plugins import registry

    layer: dict[str, Any] = {"separator": {"backend": "none"}}
    if not segment:
        layer["segmenter"] = {"backend": "none"}
    classifier = registry().get("classifier", config.backend("classifier"))
    listener = getattr(classifier.cls, "render_listener", None)
    if callable(listener):  # the classifier names the set-up that hears renders (e.g. its own model)
        layer.update(listener(classifier.create(config.options("classifier"))))
    elif "domain" in classifier.option_table:
        layer["classifier"] = {"domain": "render"}
    return config.merged(layer, "render analysis")


def run_loop(
    tracks: Iterable[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    config: Config | Any = None,
    model: str | os.PathLike[str] | None = None,
    settings: LoopSettings | None = None,
    progress: bool = False,
    workers: int = 1,
    executor: Executor | None = None,
) -> Any:
    """Run the loop over ``tracks`` and write every output under ``out_dir``; returns the
    :class:`mirloop.loop.report.LoopReport`. Each track's files go to ``out_dir/<name>/``, named by
    :func:`mirloop.io.output_names.output_names` (the report lists each track's ``source`` and
    ``folder``). ``workers`` > 1 runs that many tracks at once, each in its own process (the
    numbers do not depend on it); ``executor`` runs them instead (e.g. on a Dask cluster, whose
    workers must see ``out_dir``: each writes its tracks' folders itself)."""
    from tqdm import tqdm

    from mirloop.catalog import load_catalog
    from mirloop.executors import LocalExecutor
    from mirloop.io.atomic import remove_stale_temporaries
    from mirloop.io.output_names import output_names
    from mirloop.loop.report import REPORT_FILES, build_report, write_report
    from mirloop.parallel import Interrupted
    from mirloop.pipelines.batch import empty_folder_message, scan_inputs
    from mirloop.plugins import registry

    settings = settings or LoopSettings()
    resolved = loop_config(config, model=model, separate=settings.separate)
    renderer = registry().create("renderer", resolved.backend("renderer"), resolved.options("renderer"))
    catalog = load_catalog()
    scanned = scan_inputs(tracks)
    paths = list(scanned.tracks)
    names = output_names(paths, reserved=REPORT_FILES)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out, before=time.time())
    started = time.perf_counter()
    runner = executor if executor is not None else LocalExecutor(workers)
    inline = runner.inline(len(paths))
    track_bar = tqdm(total=len(paths), unit="track", file=sys.stderr, disable=not progress, position=0)
    render_bar = tqdm(
        total=0, unit="render", file=sys.stderr, disable=not progress or not inline, position=1, leave=False
    )
    done: dict[int, TrackLoop] = {}
    try:
        with track_bar, render_bar:
            if not inline:
                _loop_on_executor(paths, names, out, resolved, settings, runner, track_bar, done)
            for index, (path, name) in enumerate(zip(paths, names)):
                if index in done:
                    continue
                track_bar.set_postfix_str(path.name, refresh=False)
                done[index] = loop_track(
                    path,
                    name,
                    out / name,
                    config=resolved,
                    renderer=renderer,
                    catalog=catalog,
                    settings=settings,
                    bar=render_bar,
                )
                track_bar.update()
    except KeyboardInterrupt as interrupt:
        for index, track in getattr(interrupt, "arrived", ()):  # finished in a worker as Ctrl-C came
            done[index] = commit_track(track)
        finished = [done[i] for i in sorted(done)]
        remove_stale_temporaries(out, targets=names)  # the stopped tracks' half-written folders
        report = None
        if finished:
            report = build_report(
                finished,
                settings=settings,
                config=resolved,
                seconds=time.perf_counter() - started,
                heldout=None,
            )
            write_report(report, finished, out, settings=settings)
        not_started = [str(paths[i]) for i in range(len(paths)) if i not in done]
        raise Interrupted(finished, not_started, report=report) from None
    remove_stale_temporaries(out, targets=names)  # left by a worker that died mid-track
    results = [done[i] for i in range(len(paths))]
    for folder in scanned.empty_folders:  # reported as failed; the other tracks went on
        failed = TrackLoop(name=folder.name, source=str(folder), ok=False, error=empty_folder_message(folder))
        results.append(failed)
    report = build_report(
        results,
        settings=settings,
        config=resolved,
        seconds=time.perf_counter() - started,
        heldout=heldout_scores(resolved),
    )
    write_report(report, results, out, settings=settings)
    return report


def run_loop_seeds(
    tracks: Iterable[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    seeds: Iterable[int],
    *,
    settings: LoopSettings | None = None,
    **options: Any,
) -> tuple[dict[int, Any], Any]:
    """:func:`run_loop` once per seed of the renders, into ``out_dir/seed-<S>/``, and the
    per-target summary over the seeds (:func:`mirloop.loop.report.seed_summary`), written as
    ``out_dir/seeds.csv``; returns the reports by seed and the summary. ``options`` go to
    :func:`run_loop` (``config``, ``model``, ``progress``, ``workers``)."""
    import attrs

    from mirloop.io.tables import write_csv
    from mirloop.loop.report import seed_summary

    settings = settings or LoopSettings()
    tracks = list(tracks)
    reports = {
        seed: run_loop(
            tracks, Path(out_dir) / f"seed-{seed}", settings=attrs.evolve(settings, seed=seed), **options
        )
        for seed in dict.fromkeys(seeds)
    }
    summary = seed_summary(reports)
    write_csv(summary, Path(out_dir) / "seeds.csv")
    return reports, summary


def _loop_on_executor(
    paths: list[Path],
    names: list[str],
    out: Path,
    config: Config,
    settings: LoopSettings,
    executor: Executor,
    bar: Any,
    done: dict[int, TrackLoop],
) -> None:
    """:func:`loop_track` for every track on the executor's workers, each result put into
    ``done`` by its index as it arrives (a local worker's folder is put in place here, a remote
    worker writes its own)."""
    from mirloop.executors import TaskLost

    staged = not executor.remote
    jobs = [(path, name, out / name, config, settings, staged) for path, name in zip(paths, names)]
    for index, outcome in executor.run(_loop_track_in_process, jobs, ids=names):
        if isinstance(outcome, TaskLost):  # the worker died on this track: report it, keep the others
            lost = outcome
            outcome = TrackLoop(name=names[index], source=str(paths[index]), folder=str(out / names[index]))
            outcome.ok, outcome.error = False, lost.error
        done[index] = commit_track(outcome)
        bar.set_postfix_str(paths[index].name, refresh=False)
        bar.update()


def _loop_track_in_process(
    path: Path, name: str, folder: Path, config: Config, settings: LoopSettings, staged: bool = True
) -> TrackLoop:
    """One track in a worker process, with the renderer that process made for its first track."""
    from mirloop.catalog import load_catalog
    from mirloop.executors.state import cached_backend

    renderer = cached_backend("renderer", config.backend("renderer"), config.options("renderer"))
    return loop_track(
        path, name, folder, config=config, renderer=renderer, catalog=load_catalog(), settings=settings,
        staged=staged,
    )


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
                    write_media(track, staging, audio=settings.audio)
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
    track.figures.clear()  # the analysis contexts are large: keep them no longer than needed
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
        _combo({str(k): v for k, v in row.items()}) for row in reduced.to_dict("records")
    ]
    track.figures["input"] = run
    if "silent" in analysis.flags:
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
        track.name, candidates, analysis.duration, seed=settings.seed, tempo_margin=settings.tempo_margin
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
    single_config = render_analysis_config(config, segment=False)
    multi_config = render_analysis_config(config, segment=True)
    for job in jobs:
        started = time.perf_counter()
        outcome = run_render(job, renderer)
        track.spend("render", time.perf_counter() - started)
        _record(
            track,
            job,
            outcome,
            folder,
            segments,
            reduced,
            catalog,
            settings,
            single_config if job.kind == SINGLE else multi_config,
        )
        if bar is not None:
            bar.update()
    _agreement(track, reduced)


def _combo(row: dict[str, Any]) -> str:
    """``genre_subgenre_mood`` of a row of labels (``unknown`` parts kept)."""
    return "_".join(str(row.get(t, UNKNOWN)) for t in ("genre", "subgenre", "mood"))


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
    job: LoopRender,
    outcome: RenderOutcome,
    folder: Path,
    segments: list[Segment],
    reduced: Any,
    catalog: Any,
    settings: LoopSettings,
    analysis_config: Config,
) -> None:
    timeline_path = folder / "timelines" / f"{job.name}.json"
    timeline_path.parent.mkdir(parents=True, exist_ok=True)
    timeline_path.write_text(json.dumps(job.timeline.to_json(wrap=True), indent=1))
    entry: dict[str, Any] = {
        "name": job.name,
        "kind": job.kind,
        "seed": job.seed,
        "descriptor": job.descriptor,
        "timeline": _in_report(track, timeline_path, folder),
        "ok": outcome.ok,
        "error": outcome.error,
    }
    track.renders.append(entry)
    if outcome.audio is None:
        return
    started = time.perf_counter()
    try:  # heard as the training renders were: the stored mono 22,050-Hz 16-bit signal
        run = analyze_samples(stored_analysis_audio(outcome.audio), config=analysis_config)
    except MirloopError as exc:
        entry.update(ok=False, error=f"re-classification failed: {exc}")
        return
    finally:
        track.spend("reclassify", time.perf_counter() - started)
    if settings.audio:
        written = write_ogg(outcome.audio, folder / "renders" / f"{job.name}.ogg")
        entry["audio"] = _in_report(track, written, folder)
    prediction = run.analysis.prediction
    assert prediction is not None
    if job.kind == SINGLE:
        descriptor = catalog[job.descriptor]
        for target in TARGETS:
            track.single.append(
                {
                    "track": track.name,
                    "render": job.name,
                    "descriptor": job.descriptor,
                    "target": target,
                    "expected": descriptor.target(target),
                    "predicted": prediction[target].track_label,
                }
            )
        entry["predicted_descriptor"] = _combo({t: prediction[t].track_label for t in TARGETS})
        return
    merged = merged_grid(run.analysis)
    owned = [segments[i] for i in job.segments]
    for index, labels in zip(job.segments, segment_majorities(merged, owned)):
        track.multi.append(
            {
                "track": track.name,
                "render": job.name,
                "segment": index,
                "descriptor": _combo(labels),
                **labels,
            }
        )
    estimated = run.analysis.segmentation
    if estimated is not None:
        reference = np.array([[s.start, s.end] for s in segments])
        score = boundary_fidelity(reference, estimated.intervals)
        track.boundaries.append(
            {
                "track": track.name,
                "render": job.name,
                **score,
                "reference_segments": len(segments),
                "render_segments": len(estimated.segments),
            }
        )
    if "multi" not in track.figures:
        track.figures["multi"] = (run, job)
    del merged


def _agreement(track: TrackLoop, reduced: Any) -> None:
    """Per segment and target: the most frequent label over the multi-region renders vs the input's.

    ``unknown`` on both sides does not count as agreement (it says nothing about the music).
    ``rendered`` is the value of the descriptor the segment was rendered with (the nearest valid
    one, so it can differ from the input's label): it tells where a disagreement arose.
    """
    from mirloop.catalog import load_catalog
    from mirloop.loop.reduce import most_common

    by_segment: dict[int, list[dict[str, Any]]] = {}
    for row in track.multi:
        by_segment.setdefault(int(row["segment"]), []).append(row)
    inputs = {int(r["segment"]): r for r in reduced.to_dict("records")}
    catalog = load_catalog()
    for segment, rows in sorted(by_segment.items()):
        name = inputs[segment].get("descriptor")
        rendered = catalog[name] if isinstance(name, str) and name in catalog else None
        for target in TARGETS:
            if target not in inputs[segment]:
                continue
            majority = most_common([r[target] for r in rows])
            expected = inputs[segment][target]
            agree = float(majority == expected and expected != UNKNOWN)  # two "unknown"s are no agreement
            track.agreement.append(
                {
                    "track": track.name,
                    "segment": segment,
                    "target": target,
                    "input": expected,
                    "descriptor": name,
                    "rendered": str(rendered.target(target)) if rendered is not None else UNKNOWN,
                    "renders": majority,
                    "agree": agree,
                    "n": len(rows),
                }
            )


def write_media(track: TrackLoop, folder: Path, *, audio: bool = True) -> None:
    """The track's figure (``loop.png``) and, with ``audio``, its analysed input as ``input.ogg``."""
    from mirloop.loop.figures import track_figure

    input_run = track.figures.get("input")
    if input_run is None:
        return
    multi = track.figures.get("multi")
    figure = track_figure(
        input_run,
        multi[0] if multi else None,
        folder / "loop.png",
        title=f"{track.name}: input (grey) and {multi[1].name if multi else 'no'} multi-region render "
        "(blue); red dashes = input boundaries, blue dots = boundaries found in the render",
    )
    track.media["figure"] = _in_report(track, figure, folder)
    if audio:
        path = write_ogg(input_run.context.audio, folder / "input.ogg")
        track.media["input_audio"] = _in_report(track, path, folder)


def _in_report(track: TrackLoop, path: Path, folder: Path) -> str:
    """``path`` (a file in ``folder``, where the track's files are being written) as the report
    links it: relative to the report folder, inside the track's final folder."""
    return (Path(Path(track.folder).name) / path.relative_to(folder)).as_posix()


def write_ogg(audio: Audio, path: Path, *, sr: int = 22050) -> Path:
    """``audio`` as mono Ogg Vorbis at ``sr`` Hz (for the HTML report's players)."""
    import soxr

    from mirloop.io.audio_out import write_audio_file

    mono = audio.mono().samples
    if audio.sr != sr:
        mono = soxr.resample(mono, audio.sr, sr)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_audio_file(path, mono, sr, clip=True)


__all__ = ["LoopSettings", "TrackLoop", "loop_config", "loop_track", "run_loop", "write_media", "write_ogg"]
