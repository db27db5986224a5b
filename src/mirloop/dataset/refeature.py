"""Re-extract the window features of a finished dataset with another feature backend.

``refeature_dataset(DATA, NEWDATA, config=…)`` reads the stored renders of ``DATA`` and writes a
new dataset folder whose renders, manifest rows and labels are those of ``DATA`` and whose
``features.parquet`` holds the columns of the configured feature backend, so ``mirloop train
NEWDATA`` trains a model on them (the model records the backend; see
:meth:`~mirloop.classify.model.HierarchicalModel.check_setup`). The audio is not copied:
``NEWDATA/renders`` is a symbolic link to the source's renders.

Like generation it is resumable and atomic: each render's features go to ``parts/<id>.parquet``
and its row to ``parts/<id>.json`` (written last, the commit marker); a rerun keeps finished
renders; the tables are gathered only when every render is done.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from attrs import frozen

from mirloop.classify.feature_table import DatasetInfo
from mirloop.dataset.generate import collect
from mirloop.dataset.jobs import JobFailure, RunReport, run_render_jobs
from mirloop.dataset.layout import MANIFEST_PARQUET, PARTS, RENDERS, DatasetLayout
from mirloop.dataset.manifest import ManifestRow, read_manifest, read_part, write_part
from mirloop.errors import DatasetError
from mirloop.io.atomic import atomic_path

#: The ``generation`` key of a re-featured dataset naming the dataset its renders belong to
#: (``mirloop dataset generate`` refuses such a folder: its renders are another dataset's).
SOURCE_KEY = "features_from"


@frozen
class FeatureSettings:
    """What every job of one run shares: the source and new folders, the audio format and the
    configuration layer naming the feature backend and its options."""

    source: str
    root: str
    audio_format: str
    config_layer: dict[str, Any]


@frozen
class RefeatureReport(RunReport):
    """What a re-extraction run did (:class:`RunReport`): renders planned, already done,
    re-extracted now, failed."""

    TIMING_KEYS: ClassVar[tuple[str, ...]] = ("feature_seconds", "audio_seconds")


def _job_identity(row: ManifestRow, settings: FeatureSettings, audio_size: int) -> dict[str, Any]:
    """What a finished part must match to be kept: the render, its audio and the feature setup."""
    return {
        "render_id": row.render_id,
        "source": settings.source,
        "audio_size": audio_size,
        "features": settings.config_layer["features"],
    }


def finished_part(layout: DatasetLayout, row: ManifestRow, settings: FeatureSettings) -> ManifestRow | None:
    """The new manifest row of a render whose features are done with these settings, else ``None``."""
    import pyarrow.parquet as pq

    done = read_part(layout.row(row.render_id))
    try:
        audio_size = (Path(settings.source) / row.audio).stat().st_size
        if done is None or done.job != _job_identity(row, settings, audio_size):
            return None
        part = layout.features(row.render_id)
        if part.stat().st_size != done.file_sizes.get("features"):
            return None
        if int(pq.read_metadata(part).num_rows) != done.n_windows:
            return None
    except Exception:  # missing, torn or foreign files: redo the render
        return None
    return done


def refeature_job(row: ManifestRow, settings: FeatureSettings) -> ManifestRow:
    """Extract one render's window features with the configured backend; returns its new row."""
    import pyarrow.parquet as pq

    from mirloop.dataset.render_job import analysis_config, labelled_window_rows
    from mirloop.pipelines.analyze import analyze_file

    layout = DatasetLayout(settings.root, settings.audio_format)
    audio = Path(settings.source) / row.audio
    started = time.perf_counter()
    analysis = analyze_file(audio, config=analysis_config(settings.config_layer)).analysis
    feature_seconds = time.perf_counter() - started
    if analysis.features is None:
        raise DatasetError("the feature stage returned nothing")
    table = labelled_window_rows(row.render_id, row.tempo_bpm, row.labels, analysis.features)
    with atomic_path(layout.features(row.render_id)) as temporary:
        pq.write_table(table, temporary)
    new_row = row.evolve(
        n_windows=table.num_rows,
        feature_seconds=feature_seconds,
        feature_backend=analysis.backends.get("features", ""),
        feature_names=tuple(analysis.features.names),
        file_sizes={"features": layout.features(row.render_id).stat().st_size},
        job=_job_identity(row, settings, audio.stat().st_size),
    )
    write_part(layout.row(row.render_id), new_row)
    return new_row


def _safe_run(row: ManifestRow, settings: FeatureSettings) -> ManifestRow | JobFailure:
    try:
        return refeature_job(row, settings)
    except Exception as exc:  # one bad render must not stop the others; reported at the end
        return JobFailure(row.render_id, f"{type(exc).__name__}: {exc}", traceback.format_exc())


def _link_renders(source: Path, root: Path) -> None:
    """``root/renders`` → the source's renders (a symbolic link; refused if something else is there)."""
    target = (source / RENDERS).resolve()
    link = root / RENDERS
    if link.is_symlink() and link.resolve() == target:
        return
    if link.exists() or link.is_symlink():
        raise DatasetError(f"{link} exists and is not a link to {target}; choose an empty output folder")
    link.symlink_to(target, target_is_directory=True)


def _source_rows(source: Path) -> list[ManifestRow]:
    manifest = source / MANIFEST_PARQUET
    if not manifest.is_file():
        raise DatasetError(
            f"{source} has no {MANIFEST_PARQUET}: its generation is unfinished; rerun "
            f"`mirloop dataset generate -o {source}` with the same settings first"
        )
    return read_manifest(manifest)


def _check_resume(root: Path, info: DatasetInfo) -> None:
    try:
        existing = DatasetInfo.read(root)
    except DatasetError:
        return
    found = (existing.generation.get(SOURCE_KEY), existing.feature_backend, existing.feature_options)
    wanted = (info.generation.get(SOURCE_KEY), info.feature_backend, info.feature_options)
    if found != wanted:
        raise DatasetError(
            f"{root} holds features of {found[0]} from backend {found[1]!r} with options {found[2]}, "
            f"not of {wanted[0]} from {wanted[1]!r} with {wanted[2]}; resume with the same settings "
            "or choose another output folder"
        )


def refeature_dataset(
    data: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    config: Any = None,
    workers: int | None = None,
    progress: bool = True,
    on_done: Callable[[ManifestRow], None] | None = None,
) -> RefeatureReport:
    """Re-extract the features of every render of ``data`` into ``output`` (see the module docstring).

    ``config`` names the feature backend and its options (default: the discovered configuration);
    ``workers`` processes extract features (default: all cores); ``on_done`` is called with each
    new row.
    """
    from mirloop.classify.setup import resolved_feature_options
    from mirloop.config import load_config

    source, root = Path(data).resolve(), Path(output)
    if root.resolve() == source:
        raise DatasetError(f"the output folder must differ from the dataset {source}")
    resolved = config if config is not None and not isinstance(config, dict) else load_config(config)
    backend = resolved.backend("features")
    if backend == "none":
        raise DatasetError("no feature backend is configured; choose one with --use features=NAME")
    source_info = DatasetInfo.read(source)
    rows = _source_rows(source)
    info = DatasetInfo(
        feature_backend=backend,
        feature_names=(),
        feature_options=resolved_feature_options(resolved),
        catalog_version=source_info.catalog_version,
        generation={
            **source_info.generation,
            SOURCE_KEY: str(source),
            "source_feature_backend": source_info.feature_backend,
        },
    )
    _check_resume(root, info)
    audio_format = str(source_info.generation.get("audio_format", "ogg"))
    layout = DatasetLayout(root, audio_format)
    (root / PARTS).mkdir(parents=True, exist_ok=True)
    _link_renders(source, root)
    layout.remove_stale_temporaries()
    info.write(root)

    settings = FeatureSettings(
        str(source),
        str(root),
        audio_format,
        {"features": {"backend": backend, **resolved.options("features")}},
    )
    done = {r.render_id: d for r in rows if (d := finished_part(layout, r, settings)) is not None}
    todo = [r for r in rows if r.render_id not in done]
    n_workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))

    def finished(row: ManifestRow) -> None:
        done[row.render_id] = row
        if on_done is not None:
            on_done(row)

    run = run_render_jobs(
        _safe_run,
        [(row, settings) for row in todo],
        [row.render_id for row in todo],
        workers=n_workers,
        total=len(rows),
        progress=progress,
        desc="features",
        on_done=finished,
        seconds=[row.duration for row in todo],
    )
    collected = False
    if not run.failures and len(done) == len(rows):
        ordered = [done[r.render_id] for r in rows]
        names = {r.feature_names or () for r in ordered}
        if len(names) > 1:
            raise DatasetError(f"the feature backend {backend!r} gave different columns on different renders")
        collect(layout, ordered)  # the manifest leaves the feature names to dataset.json
        info = DatasetInfo(
            feature_backend=info.feature_backend,
            feature_names=next(iter(names), ()),
            feature_options=info.feature_options,
            catalog_version=info.catalog_version,
            generation=info.generation,
        )
        info.write(root)
        collected = True
    return RefeatureReport.of_run(
        run,
        root=root,
        planned=len(rows),
        already_done=len(rows) - len(todo),
        collected=collected,
        workers=n_workers,
    )
