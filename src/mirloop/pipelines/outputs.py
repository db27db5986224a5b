"""The files written for one analysed track, all under ``OUT/<name>/``, each written atomically.

``<name>.jams`` (annotations), ``<name>.grid.parquet`` (one row per 2-s grid window),
``<name>.segments.parquet`` and ``<name>.segments.csv`` (one row per form segment) and
``<name>.png`` (the analysis figure). ``<name>`` is the track's file stem made safe
(:func:`mirloop.io.output_names.safe_name`) unless given; a given name must already be safe.

The files are written into a temporary folder that becomes ``OUT/<name>/`` once all of them
are complete (:func:`mirloop.io.atomic.atomic_folder`): a crash or a full disk leaves the
previous outputs, or none, never some of the new ones.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from attrs import frozen

from mirloop.pipelines.analyze import AnalysisRun

#: Output kinds in the order they are written, with their file suffix.
OUTPUT_SUFFIXES: dict[str, str] = {
    "jams": ".jams",
    "grid": ".grid.parquet",
    "segments": ".segments.parquet",
    "segments_csv": ".segments.csv",
    "figure": ".png",
}


@frozen
class StagedOutputs:
    """A track's outputs complete in a temporary folder beside ``folder``, not yet in place."""

    staging: Path
    folder: Path
    paths: dict[str, Path]
    owned: tuple[str, ...]

    def commit(self) -> dict[str, Path]:
        """Rename the outputs into ``folder`` at once; returns their paths by kind."""
        from mirloop.io.atomic import commit_folder

        try:
            commit_folder(self.staging, self.folder, owned=self.owned)
        except BaseException:
            shutil.rmtree(self.staging, ignore_errors=True)
            raise
        return self.paths


def write_outputs(
    run: AnalysisRun,
    out_dir: str | os.PathLike[str],
    *,
    name: str | None = None,
    figure: bool = True,
) -> dict[str, Path]:
    """Write every output of ``run`` into ``out_dir/<name>/``; returns the paths by kind."""
    return stage_outputs(run, out_dir, name=name, figure=figure).commit()


def stage_outputs(
    run: AnalysisRun,
    out_dir: str | os.PathLike[str],
    *,
    name: str | None = None,
    figure: bool = True,
) -> StagedOutputs:
    """Write every output of ``run`` into a temporary folder beside ``out_dir/<name>/``."""
    from mirloop.io.atomic import atomic_folder
    from mirloop.io.jams_io import write_jams
    from mirloop.io.output_names import output_folder, safe_name
    from mirloop.io.tables import grid_table, segment_table, write_csv, write_parquet

    analysis = run.analysis
    stem = safe_name(Path(analysis.source).stem) if name is None else name
    folder = output_folder(out_dir, stem)
    names = {kind: f"{stem}{suffix}" for kind, suffix in OUTPUT_SUFFIXES.items()}
    if not figure:
        del names["figure"]
    owned = tuple(f"{stem}{suffix}" for suffix in OUTPUT_SUFFIXES.values())
    with atomic_folder(folder, owned=owned, commit=False) as staging:
        write_jams(analysis, staging / names["jams"], title=Path(analysis.source).stem)
        write_parquet(grid_table(analysis), staging / names["grid"])
        segments = segment_table(analysis)
        write_parquet(segments, staging / names["segments"])
        write_csv(segments, staging / names["segments_csv"])
        if figure:
            from mirloop.plots.analysis import save_analysis_figure

            save_analysis_figure(analysis, run.context, staging / names["figure"])
    return StagedOutputs(staging, folder, {kind: folder / name for kind, name in names.items()}, owned)
