"""The feedback loop over reference tracks: analyse → reduce → render → re-classify → score.

For every track: separate and analyse it (:mod:`mirloop.pipelines.analyze`), merge every stage
on the 2-s grid and reduce it per form segment (:mod:`mirloop.loop.reduce`), render the
single-region candidates and the multi-region variations with the configured renderer
(:mod:`mirloop.loop.renders`), analyse every render with the same classifier, and score
accuracy, consistency, boundary fidelity and spread (:mod:`mirloop.loop.scores`). One track's
run is :func:`mirloop.loop.track.loop_track`; a track or a render that fails is reported and the
rest goes on. Everything is written under ``out_dir`` (see :func:`mirloop.loop.report.write_report`).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs

from mirloop.config import Config
from mirloop.executors.base import Executor, file_costs
from mirloop.loop.configuration import choose_listener, heldout_scores, loop_config
from mirloop.loop.settings import LoopSettings
from mirloop.loop.track import TrackLoop, commit_track, loop_track

if TYPE_CHECKING:
    from mirloop.pipelines.batch import ScannedInputs

#: The tracks to loop: files and folders as given, or what :func:`mirloop.pipelines.batch.scan_inputs`
#: found in them (passed on so that the inputs are read once).
Tracks: TypeAlias = "Iterable[str | os.PathLike[str]] | ScannedInputs"


def run_loop(
    tracks: Tracks,
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
    workers must see ``out_dir``: each writes its tracks' folders itself). ``tracks`` are files
    and folders, or the :class:`~mirloop.pipelines.batch.ScannedInputs` found in them."""
    from tqdm import tqdm

    from mirloop.catalog import load_catalog
    from mirloop.executors import LocalExecutor
    from mirloop.executors.progress import CostBar
    from mirloop.io.atomic import remove_stale_temporaries
    from mirloop.io.output_names import output_names
    from mirloop.loop.report import REPORT_FILES, build_report, write_report
    from mirloop.parallel import Interrupted
    from mirloop.pipelines.batch import empty_folder_message
    from mirloop.plugins import registry

    settings = settings or LoopSettings()
    resolved = loop_config(config, model=model, separate=settings.separate, listener=settings.listener)
    listener = choose_listener(resolved, settings.listener)
    settings = attrs.evolve(settings, listener=listener.model)  # every track hears its renders alike
    renderer = registry().create("renderer", resolved.backend("renderer"), resolved.options("renderer"))
    catalog = load_catalog()
    scanned = scanned_inputs(tracks)
    paths = list(scanned.tracks)
    names = output_names(paths, reserved=REPORT_FILES)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(out, before=time.time())
    started = time.perf_counter()
    runner = executor if executor is not None else LocalExecutor(workers)
    inline = runner.inline(len(paths))
    costs = file_costs(paths)
    track_bar = CostBar(total=len(paths), unit="track", file=sys.stderr, disable=not progress, position=0,
                        total_cost=sum(costs))
    render_bar = tqdm(
        total=0, unit="render", file=sys.stderr, disable=not progress or not inline, position=1, leave=False
    )
    done: dict[int, TrackLoop] = {}
    try:
        with track_bar, render_bar:
            if not inline:
                _loop_on_executor(paths, names, out, resolved, settings, runner, track_bar, done, costs)
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
                track_bar.done(costs[index])
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
                notes=(listener.note,) if listener.note else (),
            )
            write_report(report, finished, out, settings=settings)
        not_started = [str(paths[i]) for i in range(len(paths)) if i not in done]
        raise Interrupted(finished, not_started, report=report) from None
    finally:
        if executor is None:  # the local processes made for this run
            runner.close()
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
        heldout=heldout_scores(resolved, listener.model),
        notes=(listener.note,) if listener.note else (),
    )
    write_report(report, results, out, settings=settings)
    return report


def scanned_inputs(tracks: Tracks) -> ScannedInputs:
    """The tracks in ``tracks``: scanned now, unless they already were."""
    from mirloop.pipelines.batch import ScannedInputs, scan_inputs

    return tracks if isinstance(tracks, ScannedInputs) else scan_inputs(tracks)


def run_loop_seeds(
    tracks: Tracks,
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
    tracks = scanned_inputs(tracks)  # once for every seed
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
    costs: list[float],
) -> None:
    """:func:`loop_track` for every track on the executor's workers, each result put into
    ``done`` by its index as it arrives (a local worker's folder is put in place here, a remote
    worker writes its own)."""
    from mirloop.executors import TaskLost

    staged = not executor.remote
    jobs = [(path, name, out / name, config, settings, staged) for path, name in zip(paths, names)]
    for index, outcome in executor.run(_loop_track_in_process, jobs, ids=names, costs=costs):
        if isinstance(outcome, TaskLost):  # the worker died on this track: report it, keep the others
            lost = outcome
            outcome = TrackLoop(name=names[index], source=str(paths[index]), folder=str(out / names[index]))
            outcome.ok, outcome.error = False, lost.error
        done[index] = commit_track(outcome)
        bar.set_postfix_str(paths[index].name, refresh=False)
        bar.done(costs[index])


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



__all__ = ["run_loop", "run_loop_seeds"]
