"""Analyse many tracks: one report per track, failures collected rather than fatal.

Tracks run one after another, or in ``workers`` processes. The configuration is resolved and
validated once, before the first track; a track that fails (unreadable file, backend error)
is reported with its message and the others go on.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from attrs import asdict, evolve, frozen

from mirloop.config import Config
from mirloop.errors import AudioError, MirloopError, OutputError
from mirloop.executors import Executor, TaskLost, executor_for
from mirloop.executors.base import file_costs
from mirloop.io.output_names import output_names
from mirloop.parallel import Interrupted
from mirloop.pipelines.analyze import ConfigLike, analyze_file, resolve_analysis_config

#: The run's summary, written into the output folder next to the track folders.
SUMMARY_FILE = "summary.json"
#: File suffixes picked up when a folder is given (lower case).
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".w64", ".rf64", ".caf")


@frozen
class TrackReport:
    """What happened to one track. Times in seconds; ``tempo_bpm`` in beats per minute."""

    source: str
    ok: bool
    seconds: float
    #: The track's output folder ``OUT/<name>`` (see :func:`mirloop.io.output_names.output_names`).
    folder: str | None = None
    duration: float | None = None
    tempo_bpm: float | None = None
    key: str | None = None
    n_segments: int | None = None
    outputs: dict[str, str] | None = None
    flags: tuple[str, ...] = ()
    #: What was wrong with a damaged input that was still analysed
    #: (:meth:`mirloop.types.AudioDamage.to_dict`).
    damage: dict[str, Any] | None = None
    #: Near-silent stretches inside the track, ``(start, end)`` seconds (:mod:`mirloop.signal.quiet`).
    near_silent: tuple[tuple[float, float], ...] = ()
    error: str | None = None
    backends: dict[str, str] | None = None
    stage_seconds: dict[str, float] | None = None
    #: The JSON value of each added stage's result, by stage (:mod:`mirloop.types.stage_output`).
    extra: dict[str, Any] | None = None
    #: The same results in a few words each, for the summary table; never in the JSON summary.
    extra_text: dict[str, str] | None = None
    #: Outputs a worker left in a temporary folder for the parent to put in place
    #: (:class:`mirloop.pipelines.outputs.StagedOutputs`); never in the summary.
    staged: Any = None

    @property
    def realtime_factor(self) -> float | None:
        """Seconds of audio analysed per second of wall time (``None`` when unknown)."""
        if not self.ok or self.duration is None or self.seconds <= 0:
            return None
        return self.duration / self.seconds

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self, filter=lambda attribute, _: attribute.name not in ("staged", "extra_text"))
        data["flags"] = list(self.flags)
        data["near_silent"] = [list(span) for span in self.near_silent]
        data["realtime_factor"] = self.realtime_factor
        return data


@frozen
class ScannedInputs:
    """The tracks found in the inputs, in order, the folders given that hold no audio, and the
    temporary files of mirloop's found in folders (skipped)."""

    tracks: tuple[Path, ...]
    empty_folders: tuple[Path, ...] = ()
    temporaries: tuple[Path, ...] = ()


def scan_inputs(inputs: Iterable[str | os.PathLike[str]]) -> ScannedInputs:
    """Files as given (even unreadable ones: they fail as tracks), folders expanded to the audio inside.

    A folder is searched recursively for :data:`AUDIO_SUFFIXES`; one without audio is listed in
    ``empty_folders`` (a batch reports it as failed and goes on). A half-written temporary file of
    mirloop's (:func:`mirloop.io.atomic.is_temporary`) in a folder is not a track: it is listed in
    ``temporaries`` instead (named explicitly, it is refused when loaded).
    """
    from mirloop.io.atomic import is_temporary

    tracks: list[Path] = []
    empty: list[Path] = []
    temporaries: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)
            temporaries.extend(p for p in found if is_temporary(p))
            found = [p for p in found if not is_temporary(p)]
            if not found:
                empty.append(path)
            tracks.extend(found)
        else:
            tracks.append(path)
    return ScannedInputs(tuple(tracks), tuple(empty), tuple(temporaries))


def temporary_note(path: Path) -> str:
    """Why a temporary file found in a folder was skipped."""
    return f"{path}: skipped, a temporary file an interrupted mirloop run was writing (not a track)"


def find_tracks(inputs: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """:func:`scan_inputs`, but a folder without audio raises :class:`~mirloop.errors.AudioError`."""
    scanned = scan_inputs(inputs)
    if scanned.empty_folders:
        raise AudioError(empty_folder_message(scanned.empty_folders[0]))
    return list(scanned.tracks)


def empty_folder_message(folder: Path) -> str:
    return f"{folder}: folder holds no audio files ({', '.join(AUDIO_SUFFIXES)})"


def analyze_tracks(
    inputs: Iterable[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    config: ConfigLike = None,
    workers: int = 1,
    progress: bool = False,
    figure: bool = True,
    on_report: Callable[[TrackReport], None] | None = None,
    on_note: Callable[[str], None] | None = None,
    executor: Executor | None = None,
) -> list[TrackReport]:
    """Analyse every track of ``inputs`` and write its outputs under ``out_dir``.

    Each track's outputs go to ``out_dir/<name>/``, named by
    :func:`~mirloop.io.output_names.output_names`; ``out_dir/summary.json`` records every
    report, so the folder each input went to. ``progress`` shows a tqdm bar over tracks on
    stderr. Reports come back in input order, then one failed report per folder given that holds
    no audio; ``on_report`` is called as each track finishes, ``on_note`` with each input skipped
    (a temporary file of mirloop's found in a folder; also listed in the summary). Temporaries a
    killed earlier run left in ``out_dir`` are removed first
    (:func:`mirloop.io.atomic.remove_stale_temporaries`).

    ``executor`` runs the tracks (default: ``workers`` local processes); on a Dask executor each
    task writes its track's folder itself, so ``out_dir`` must be storage every worker sees.
    A worker process that dies costs only its track (retried once on a fresh worker, see
    :func:`mirloop.parallel.run_jobs`). Ctrl-C stops the run at once: queued tracks are dropped,
    workers terminated, the unfinished tracks' temporaries removed, the summary of what finished
    written, and :class:`~mirloop.parallel.Interrupted` raised with it.
    """
    from mirloop.io.atomic import remove_stale_temporaries

    remove_stale_temporaries(out_dir, before=time.time())
    resolved = resolve_analysis_config(config)
    scanned = scan_inputs(inputs)
    notes = [temporary_note(path) for path in scanned.temporaries]
    for note in notes:
        if on_note is not None:
            on_note(note)
    tracks = scanned.tracks
    names = output_names(tracks, reserved=(SUMMARY_FILE,))
    jobs = [(track, Path(out_dir), name, resolved, figure) for track, name in zip(tracks, names)]
    reports: dict[int, TrackReport] = {}
    from mirloop.executors.progress import CostBar

    costs = file_costs(tracks)
    bar = CostBar(total=len(jobs), unit="track", file=sys.stderr, disable=not progress, dynamic_ncols=True,
                  total_cost=sum(costs))
    failed = 0
    try:
        with bar, executor_for(executor, workers) as runner:
            for index, report in _run(jobs, runner, costs):
                reports[index] = report
                failed += not report.ok
                note = f"{failed} failed, " if failed else ""
                bar.set_postfix_str(f"{note}{Path(report.source).name}", refresh=False)
                bar.done(costs[index])
                if on_report is not None:
                    on_report(report)
    except KeyboardInterrupt as interrupt:
        for index, report in getattr(interrupt, "arrived", ()):  # finished in a worker as Ctrl-C came
            reports[index] = commit_report(report)
        finished = [reports[i] for i in sorted(reports)]
        pending = [str(jobs[i][0]) for i in range(len(jobs)) if i not in reports]
        remove_stale_temporaries(out_dir, targets=names)  # the stopped workers' half-written folders
        write_summary(finished, out_dir, not_started=pending, skipped=notes)
        raise Interrupted(finished, pending) from None
    remove_stale_temporaries(out_dir, targets=names)  # left by a worker that died mid-track
    ordered = [reports[i] for i in range(len(jobs))]
    for folder in scanned.empty_folders:
        ordered.append(TrackReport(str(folder), False, 0.0, error=empty_folder_message(folder)))
        if on_report is not None:
            on_report(ordered[-1])
    write_summary(ordered, out_dir, skipped=notes)
    return ordered


def batch_summary(
    reports: Sequence[TrackReport], *, not_started: Sequence[str] | None = None, skipped: Sequence[str] = ()
) -> dict[str, Any]:
    """Every track's report, the counts, the failures (source and error) and the damaged inputs
    that were analysed listed apart, and the inputs ``skipped``; for an interrupted run,
    ``interrupted`` is true and ``not_started`` lists the tracks left undone."""
    failed = [report for report in reports if not report.ok]
    summary: dict[str, Any] = {
        "tracks": [report.to_dict() for report in reports],
        "n_ok": len(reports) - len(failed),
        "n_failed": len(failed),
        "failed": [{"source": report.source, "error": report.error} for report in failed],
        "damaged": [{"source": report.source, **report.damage} for report in reports if report.damage],
        "skipped": list(skipped),
        "interrupted": not_started is not None,
    }
    if not_started is not None:
        summary["not_started"] = list(not_started)
    return summary


def write_summary(
    reports: Sequence[TrackReport],
    out_dir: str | os.PathLike[str],
    *,
    not_started: Sequence[str] | None = None,
    skipped: Sequence[str] = (),
) -> Path:
    """``out_dir/summary.json``: :func:`batch_summary` of the run (written atomically)."""
    from mirloop.io.atomic import write_text

    summary = batch_summary(reports, not_started=not_started, skipped=skipped)
    text = json.dumps(summary, indent=2, default=_plain)
    return write_text(Path(out_dir) / SUMMARY_FILE, text)


def _plain(value: Any) -> Any:
    """NumPy scalars as Python numbers (anything else as text) for JSON."""
    return value.item() if hasattr(value, "item") else str(value)


Job = tuple[Path, Path, str, Config, bool]


def _run(jobs: list[Job], executor: Executor, costs: list[float]) -> Iterator[tuple[int, TrackReport]]:
    # local workers leave each track's outputs staged; they are put in place here, as each report
    # arrives, so a track counts as finished exactly when its folder appears; remote workers (and
    # this process, for one worker) write their folders themselves, each atomically
    staged = not (executor.remote or executor.inline(len(jobs)))
    staged_jobs = [(*job, staged) for job in jobs]
    ids = [name for _, _, name, _, _ in jobs]
    for index, outcome in executor.run(analyze_one, staged_jobs, ids=ids, costs=costs):
        if isinstance(outcome, TaskLost):
            track, out_dir, name = jobs[index][:3]
            outcome = TrackReport(str(track), False, 0.0, str(out_dir / name), error=f"{outcome.error}")
        yield index, commit_report(outcome)


def commit_report(report: TrackReport) -> TrackReport:
    """Put the outputs a worker staged for ``report`` in place (a failure to do so fails the track)."""
    if report.staged is None:
        return report
    try:
        report.staged.commit()
    except OSError as exc:
        return evolve(report, ok=False, staged=None, outputs=None, error=_write_failed(report.folder, exc))
    return evolve(report, staged=None)


def _write_failed(folder: str | None, exc: OSError) -> str:
    return (
        f"{folder}: writing the outputs failed ({exc.strerror or exc}); none of them were written "
        "and earlier ones are kept — free some space or fix the folder and run again"
    )


def analyze_one(
    track: Path, out_dir: Path, name: str, config: Config, figure: bool = True, staged: bool = False
) -> TrackReport:
    """Analyse one track and write its outputs; any failure becomes a report, never an exception.

    With ``staged``, the outputs are left complete in a temporary folder (the report's
    ``staged``) for :func:`commit_report` to put in place.
    """
    from mirloop.pipelines.outputs import stage_outputs
    from mirloop.types.stage_output import output_json, output_text

    started = time.perf_counter()
    folder = str(Path(out_dir) / name)
    try:
        run = analyze_file(track, config=config)
        try:
            outputs = stage_outputs(run, out_dir, name=name, figure=figure)
            paths = outputs.paths if staged else outputs.commit()
        except OSError as exc:
            raise OutputError(_write_failed(folder, exc)) from exc
    except MirloopError as exc:
        return TrackReport(str(track), False, time.perf_counter() - started, folder, error=str(exc))
    except Exception as exc:  # a backend bug must not stop the batch; keep where it happened
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return TrackReport(
            str(track), False, time.perf_counter() - started, folder,
            error=f"unexpected {type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno})",
        )
    analysis = run.analysis
    return TrackReport(
        source=str(track),
        ok=True,
        seconds=time.perf_counter() - started,
        folder=folder,
        duration=analysis.duration,
        tempo_bpm=None if analysis.tempo is None else float(analysis.tempo.bpm),
        key=None if analysis.key is None else str(analysis.key.key),
        n_segments=None if analysis.segmentation is None else len(analysis.segmentation.segments),
        outputs={kind: str(path) for kind, path in paths.items()},
        flags=analysis.flags,
        damage=None if analysis.damage is None else analysis.damage.to_dict(),
        near_silent=analysis.near_silent,
        backends=dict(analysis.backends),
        stage_seconds={stage: round(seconds, 4) for stage, seconds in analysis.timings.items()},
        extra={stage: output_json(result) for stage, result in analysis.extra.items()} or None,
        extra_text={stage: output_text(result) for stage, result in analysis.extra.items()} or None,
        staged=outputs if staged else None,
    )
