"""Generate a training dataset: every descriptor rendered at several durations, then featurized.

``generate_dataset`` plans the renders (:mod:`mirloop.dataset.plan`), skips those already
complete in the folder (:meth:`DatasetLayout.finished_row`), runs the rest on a process pool
(all local cores by default) with a progress bar, and — once every render is done — gathers
the per-render parts into ``manifest.parquet`` and ``features.parquet``. A killed run is
resumed by running the same command again: finished renders are kept, partial ones redone.
A dataset grows the same way, rerun with a larger ``per_descriptor``: render ``i`` of a
descriptor does not depend on how many there are, so those already made are kept.
"""

from __future__ import annotations

import fnmatch
import math
import os
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

from attrs import field, frozen

from mirloop.classify.feature_table import FEATURES_PARQUET, DatasetInfo
from mirloop.classify.setup import resolved_options
from mirloop.dataset.jobs import JobFailure, RunReport, run_render_jobs
from mirloop.dataset.layout import DatasetLayout
from mirloop.dataset.manifest import ManifestRow, write_manifest
from mirloop.dataset.plan import DEFAULT_DURATIONS, DEFAULT_PER_DESCRIPTOR, RenderJob, plan_jobs
from mirloop.dataset.render_job import AUDIO_SUBTYPES, STORES, JobSettings, run_job
from mirloop.errors import DatasetError, OptionError
from mirloop.executors.base import Executor
from mirloop.io.atomic import atomic_path
from mirloop.limits import MAX_RENDER_SECONDS
from mirloop.renderer.options import RANDOMIZE_MODES
from mirloop.types.descriptor import Descriptor
from mirloop.types.features import FEATURE_NAMES

#: Renders are made at the renderer's own default rate, as the loop's renders and most real
#: tracks are: rendering at 22.05 kHz is about 1.3x faster but the SoundFont synthesis then aliases
#: above 8 kHz and shifts the spectral features (contrast +4 dB, flatness x2), so a model trained on
#: such renders misreads 44.1-kHz audio.
RENDER_SR = 44100

JobRunner = Callable[[RenderJob, JobSettings], ManifestRow]
#: Generation settings that must match when a run resumes in an existing folder
#: (``per_descriptor`` may grow: render ``i`` of a descriptor is the same whatever the count).
RESUME_KEYS = ("durations", "seed", "audio_format", "sr", "store", "randomize", "renderer")
#: The value a resume key has in folders written before the key existed.
RESUME_DEFAULTS = {"randomize": "none", "renderer": "mirloop"}


@frozen
class GenerationReport(RunReport):
    """What a generation run did (:class:`RunReport`), with the CPU seconds spent rendering and
    the rows made; rates are over the new renders."""

    render_seconds: float = 0.0
    rows: tuple[ManifestRow, ...] = field(default=(), repr=False)

    TIMING_KEYS: ClassVar[tuple[str, ...]] = (
        "audio_seconds",
        "render_seconds",
        "feature_seconds",
        "renders_per_second",
        "real_time_factor",
    )


def pick_descriptors(
    descriptors: Sequence[Descriptor], limit: int | None, only: Sequence[str] = ()
) -> list[Descriptor]:
    """All descriptors (or those whose name matches one of the ``only`` glob patterns, e.g.
    ``pop_*``), or ``limit`` of them spread evenly over the name-sorted selection."""
    ordered = sorted(descriptors, key=lambda d: d.name)
    if only:
        ordered = [d for d in ordered if any(fnmatch.fnmatchcase(d.name, pattern) for pattern in only)]
        if not ordered:
            raise DatasetError(
                f"no descriptor matches {', '.join(only)}; names are genre_subgenre_mood, "
                "e.g. pop_* or *_dark (see `mirloop descriptors list`)"
            )
    if limit is None or limit >= len(ordered):
        return ordered
    if limit <= 0:
        raise DatasetError(f"--limit-descriptors must be positive, got {limit}")
    return [ordered[(i * len(ordered)) // limit] for i in range(limit)]


def _recorded_renderer_options(generation: dict[str, Any]) -> dict[str, Any] | None:
    """The renderer options a folder's run recorded, those it left out at the value they had then
    (:attr:`~mirloop.stages.Option.former`); ``None`` for folders that predate the record."""
    if "renderer_options" not in generation:
        return None
    renderer = str(generation.get("renderer", RESUME_DEFAULTS["renderer"]))
    return resolved_options("renderer", renderer, dict(generation["renderer_options"]), recorded=True)


def _check_resume(root: Path, info: DatasetInfo) -> None:
    try:
        existing = DatasetInfo.read(root)
    except DatasetError:
        return
    if "features_from" in existing.generation:  # its renders/ links to another dataset's renders
        raise DatasetError(
            f"{root} holds features re-extracted from {existing.generation['features_from']} "
            "(`mirloop dataset features`); generate into another folder"
        )
    had, asked = existing.generation.get("per_descriptor"), info.generation.get("per_descriptor")
    if isinstance(had, int) and isinstance(asked, int) and asked < had:
        raise DatasetError(
            f"{root} holds {had} renders per descriptor and duration, more than the {asked} asked "
            f"for; resume with --per-descriptor {had} or more (a dataset grows, it does not shrink), "
            "or choose another output folder"
        )
    wanted = {k: info.generation.get(k, RESUME_DEFAULTS.get(k)) for k in RESUME_KEYS}
    found = {k: existing.generation.get(k, RESUME_DEFAULTS.get(k)) for k in RESUME_KEYS}
    had_options = _recorded_renderer_options(existing.generation)
    asked_options = info.generation.get("renderer_options") or {}
    compared = sorted({*had_options, *asked_options}) if had_options is not None else []
    had_options = had_options or {}
    differences = [
        f"{name}: {a!r} in the folder vs {b!r} now"
        for name, a, b in (
            *((k, found[k], wanted[k]) for k in RESUME_KEYS),
            *(
                (f"renderer option {k}", had_options.get(k), asked_options.get(k))
                for k in compared
            ),
            ("feature backend", existing.feature_backend, info.feature_backend),
            ("feature options", existing.feature_options, info.feature_options),
            ("catalog version", existing.catalog_version, info.catalog_version),
        )
        if a != b
    ]
    if differences:
        options = [  # --sr and --randomize have options of their own
            f"--set renderer.{k}={had_options[k]}"
            for k in compared
            if k in had_options and had_options[k] != asked_options.get(k) and k not in ("sr", "randomize")
        ]
        same = f" (e.g. {' '.join(options)})" if options else ""
        raise DatasetError(
            f"{root} holds a dataset generated with other settings ({'; '.join(differences)}); "
            f"resume with the same settings{same} or choose another output folder"
        )


def renderer_options(config: Any, *, sr: int, randomize: str) -> dict[str, Any]:
    """The options the configured renderer backend makes the dataset's renders with: its
    configured options, with the run's sample rate and domain randomisation, and its defaults
    filled in (the dataset records every one, so a later change of a default cannot change what
    a resumed run renders). A backend without an ``sr`` or ``randomize`` option renders at its own
    rate, unrandomised; asking it for another rate or a randomisation is an error, as is a
    renderer no plugin provides."""
    from mirloop.plugins import registry

    name = config.backend("renderer")
    if name == "none":
        raise DatasetError("a dataset needs a renderer; the configuration turns the renderer stage off")
    backend = registry().get("renderer", name)
    table = backend.option_table
    options = dict(config.options("renderer"))
    for key, value, default in (("sr", sr, RENDER_SR), ("randomize", randomize, "none")):
        if key in table:
            options[key] = value
        elif value != default:
            raise DatasetError(
                f"renderer {name!r} has no {key!r} option, so it cannot render with {key}={value!r}; "
                f"drop that setting or use a renderer that has it (e.g. --use renderer=mirloop)"
            )
    try:
        resolved: dict[str, Any] = backend.cls.resolve_options(options)
    except OptionError as exc:
        raise DatasetError(f"the renderer's options: {exc}") from exc
    return resolved


def _safe_run(runner: JobRunner, job: RenderJob, settings: JobSettings) -> ManifestRow | JobFailure:
    try:
        return runner(job, settings)
    except Exception as exc:  # one bad render must not stop the others; reported at the end
        return JobFailure(job.render_id, f"{type(exc).__name__}: {exc}", traceback.format_exc())


def generate_dataset(
    output: str | os.PathLike[str],
    *,
    per_descriptor: int = DEFAULT_PER_DESCRIPTOR,
    durations: Sequence[float] = DEFAULT_DURATIONS,
    seed: int = 0,
    workers: int | None = None,
    limit_descriptors: int | None = None,
    only: Sequence[str] = (),
    audio_format: str = "ogg",
    sr: int = RENDER_SR,
    store: str = "analysis",
    randomize: str = "none",
    config: Any = None,
    descriptors: Sequence[Descriptor] | None = None,
    runner: JobRunner = run_job,
    progress: bool = True,
    on_done: Callable[[ManifestRow], None] | None = None,
    executor: Executor | None = None,
) -> GenerationReport:
    """Render and featurize the dataset into ``output`` (resumable; see the module docstring).

    ``sr`` is the render sample rate (see :data:`RENDER_SR`); ``store`` what is kept of each
    render (:data:`~mirloop.dataset.render_job.STORES`); ``randomize`` the renders' domain
    randomisation (``none``, ``mix`` or ``full``; see :mod:`mirloop.renderer.randomize`);
    ``config`` is the configuration (its feature backend, and the renderer backend and options
    that make the renders, are used);
    ``descriptors`` defaults to the installed catalog; ``runner`` makes one render (the default
    renders, writes and featurizes it); ``on_done`` is called in this process with each new
    manifest row. ``executor`` runs the renders (default: ``workers`` local processes); a Dask
    executor's workers must see ``output`` at the same path (shared storage).
    """
    from mirloop.catalog import load_catalog
    from mirloop.classify.setup import resolved_feature_options
    from mirloop.config import load_config

    if audio_format not in AUDIO_SUBTYPES:
        raise DatasetError(
            f"audio format {audio_format!r} is not supported; use one of {sorted(AUDIO_SUBTYPES)}"
        )
    if store not in STORES:
        raise DatasetError(f"store must be one of {', '.join(STORES)}, got {store!r}")
    if not 8000 <= sr <= 192000:
        raise DatasetError(f"render sample rate must be 8000–192000 Hz, got {sr}")
    if randomize not in RANDOMIZE_MODES:
        raise DatasetError(f"randomize must be one of {', '.join(RANDOMIZE_MODES)}, got {randomize!r}")
    if per_descriptor < 1 or not durations or not all(math.isfinite(d) and d > 0 for d in durations):
        raise DatasetError("need at least one render per descriptor and positive durations")
    for duration in durations:
        MAX_RENDER_SECONDS.check(duration, "dataset generate --durations asks for", error=DatasetError)
    resolved = config if config is not None and not isinstance(config, dict) else load_config(config)
    renderer = resolved.backend("renderer")
    render_options = renderer_options(resolved, sr=sr, randomize=randomize)
    catalog = load_catalog()
    chosen = pick_descriptors(
        list(descriptors) if descriptors is not None else list(catalog), limit_descriptors, only
    )
    jobs = plan_jobs(chosen, per_descriptor=per_descriptor, durations=durations, seed=seed)
    root = Path(output)
    feature_backend = resolved.backend("features")
    info = DatasetInfo(
        feature_backend=feature_backend,
        feature_names=FEATURE_NAMES,
        feature_options=resolved_feature_options(resolved),
        catalog_version=str(getattr(catalog, "version", "")),
        generation={
            "per_descriptor": per_descriptor,
            "durations": [float(d) for d in durations],
            "seed": seed,
            "audio_format": audio_format,
            "limit_descriptors": limit_descriptors,
            "only": list(only),
            "sr": sr,
            "store": store,
            "randomize": randomize,
            "renderer": renderer,
            "renderer_options": dict(sorted(render_options.items())),
            "descriptors": [d.name for d in chosen],
        },
    )
    _check_resume(root, info)
    layout = DatasetLayout(root, audio_format)
    layout.make_folders()
    layout.remove_stale_temporaries()
    info.write(root)

    done_rows = {job.render_id: row for job in jobs if (row := layout.finished_row(job)) is not None}
    todo = [job for job in jobs if job.render_id not in done_rows]
    settings = JobSettings(
        str(root),
        audio_format,
        {"features": {"backend": feature_backend, **resolved.options("features")}},
        render_options,
        store,
        renderer,
    )
    n_workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    if executor is not None:
        n_workers = executor.workers if executor.remote else min(executor.workers, len(todo) or 1)

    def done(row: ManifestRow) -> None:
        done_rows[row.render_id] = row
        if on_done is not None:
            on_done(row)

    run = run_render_jobs(
        _safe_run,
        [(runner, job, settings) for job in todo],
        [job.render_id for job in todo],
        workers=n_workers,
        total=len(jobs),
        progress=progress,
        desc="dataset",
        on_done=done,
        executor=executor,
        seconds=[job.duration for job in todo],
    )
    new_rows, failures, wall = list(run.made), list(run.failures), run.wall_seconds

    collected = False
    collect_seconds = 0.0
    if not failures and len(done_rows) == len(jobs):
        step = time.perf_counter()
        collect(layout, [done_rows[job.render_id] for job in jobs])
        collect_seconds = time.perf_counter() - step
        collected = True
    if new_rows:
        record_run(root, wall, collect_seconds, n_workers, new_rows)
    return GenerationReport.of_run(
        run,
        root=root,
        planned=len(jobs),
        already_done=len(jobs) - len(todo),
        collected=collected,
        workers=n_workers,
        render_seconds=sum(r.render_seconds for r in new_rows),
        rows=tuple(new_rows),
    )


#: One line per generation run that made renders: its wall time, so a dataset carries its build rate.
BUILD_LOG = "build_log.jsonl"


def record_run(
    root: Path, wall: float, collect_seconds: float, workers: int, rows: Sequence[ManifestRow]
) -> None:
    """Append the run's wall-clock seconds, renders, audio seconds and job CPU seconds to the log."""
    import datetime as dt
    import json

    entry = {
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "wall_seconds": round(wall, 3),
        "collect_seconds": round(collect_seconds, 3),
        "workers": workers,
        "renders": len(rows),
        "audio_seconds": round(sum(r.duration for r in rows), 3),
        "job_cpu_seconds": round(sum(r.job_seconds for r in rows), 3),
    }
    with open(root / BUILD_LOG, "a", encoding="utf-8") as log:  # append-only: a torn line is skipped
        log.write(json.dumps(entry) + "\n")


def read_build_log(root: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The runs recorded by :func:`record_run` (unreadable lines skipped)."""
    import json

    path = Path(root) / BUILD_LOG
    if not path.exists():
        return []
    runs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            runs.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return runs


#: Renders whose window tables are merged into one Parquet row group while collecting.
COLLECT_BATCH = 1000


def collect(layout: DatasetLayout, rows: Sequence[ManifestRow]) -> None:
    """Gather the parts of ``rows`` (in order) into ``manifest.parquet`` and ``features.parquet``.

    The feature table is streamed: :data:`COLLECT_BATCH` parts at a time are merged into one row
    group, so memory stays flat however many renders there are.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    seen: set[tuple[str, int]] = set()
    with atomic_path(layout.root / FEATURES_PARQUET) as temporary:
        writer: pq.ParquetWriter | None = None
        try:
            for start in range(0, len(rows), COLLECT_BATCH):
                chunk = rows[start : start + COLLECT_BATCH]
                parts = [pq.read_table(layout.features(row.render_id)) for row in chunk]
                batch = pa.concat_tables(parts, promote_options="permissive").combine_chunks()
                if writer is None:
                    writer = pq.ParquetWriter(temporary, batch.schema)
                elif batch.schema != writer.schema:
                    batch = batch.cast(writer.schema)
                keys = set(zip(batch.column("render_id").to_pylist(), batch.column("window").to_pylist()))
                if len(keys) != batch.num_rows or keys & seen:
                    raise DatasetError(f"{layout.root}: duplicate windows while collecting the feature table")
                seen |= keys
                writer.write_table(batch)
            if writer is None:
                pq.write_table(pa.table({}), temporary)
        finally:
            if writer is not None:
                writer.close()
    write_manifest(layout.manifest, rows)
