"""Track jobs (kind ``track``): a reference track heard as the feedback loop hears it.

Parameters ``{"file": <upload id>}``. The first half of ``mirloop loop`` on the upload, with the
loop's own configuration (:func:`mirloop.loop.configuration.loop_config`: separation on, the
shipped model unless another classifier is configured): separation and analysis
(:func:`~mirloop.pipelines.analyze.analyze_file`), every stage merged on the 2-s grid
(:func:`~mirloop.loop.merge.merged_grid`), reduced per form segment
(:func:`~mirloop.loop.reduce.reduce_segments`) and the track's top candidates
(:func:`~mirloop.loop.reduce.top_candidates`).

Writes ``track.json`` (what the analysis view shows: tempo, key, candidates, the segments, one
row per 2-s window with its descriptor, probability and whether the classifier is unsure, and
the results of the stages plugins add: ``extra``, each one's JSON value, and ``extra_text``, its
few words, by stage, as in ``mirloop analyze``'s run summary),
``grid.csv`` and ``segments.csv`` (the loop's tables), ``reference.ogg`` (the upload, to play),
``accompaniment.ogg`` (what was analysed, after separation) and ``waveform.json``.
Stages: ``load``, each analysis stage as it starts (``separator``, ``tempo``, ``features``,
``key``, ``segmenter``, ``classifier``, then the stages plugins add), ``reduce``, ``write``.
"""

from __future__ import annotations

import itertools
import json
import math
from typing import Any

from mirloop.errors import ConfigError
from mirloop.serve.settings import ServeSettings

#: A window whose descriptor probability is below this, or with a target answered ``unknown``,
#: is shown as one where the classifier is unsure.
UNSURE_BELOW = 0.5
#: How many top descriptors of the track the view offers for single-region renders.
CANDIDATES = 3
#: Progress (percent) at the start of each stage.
STAGE_PROGRESS = {
    "load": 2,
    "separator": 5,
    "tempo": 35,
    "features": 40,
    "key": 50,
    "segmenter": 55,
    "classifier": 65,
    "reduce": 75,
    "write": 85,
}
#: Progress at the start of a stage a plugin adds (they run after the classifier).
ADDED_STAGE_PROGRESS = 70


def check(params: dict[str, Any], settings: ServeSettings) -> dict[str, Any]:
    """The upload must exist; its display name is kept with the job."""
    from mirloop.serve.files import FileStore
    from mirloop.serve.store import JobStore

    file_id = params.get("file")
    if not isinstance(file_id, str):
        raise ConfigError("a track job needs 'file': the id of an upload")
    stored = FileStore(settings.data, JobStore(settings.database)).upload(file_id)
    return {"file": file_id, "name": stored.name}


def run(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
    from mirloop.catalog import load_catalog
    from mirloop.config import load_config
    from mirloop.io.audio import load_audio
    from mirloop.io.audio_out import write_ogg
    from mirloop.io.tables import write_csv
    from mirloop.loop.configuration import loop_config
    from mirloop.loop.merge import merged_grid
    from mirloop.loop.reduce import reduce_segments, top_candidates
    from mirloop.pipelines.analyze import analyze_file
    from mirloop.serve.web.media import write_waveform
    from mirloop.types import Segment
    from mirloop.types.stage_output import output_json, output_text

    def stage(name: str) -> None:
        ctx.progress(name, STAGE_PROGRESS.get(name, ADDED_STAGE_PROGRESS))

    stage("load")
    config = loop_config(load_config(ctx.settings.config_path), separate=True)
    path = ctx.files.upload_path(params["file"])
    catalog = load_catalog()
    analysis_run = analyze_file(path, config=config, on_stage=stage)
    analysis = analysis_run.analysis
    stage("reduce")
    merged = merged_grid(analysis)
    segments = (
        list(analysis.segmentation.segments)
        if analysis.segmentation is not None
        else [Segment(0.0, analysis.duration, "A")]
    )
    reduced = reduce_segments(merged, segments, catalog)
    candidates = top_candidates(merged, catalog, n_descriptors=CANDIDATES, n_tempi=1, n_keys=1)
    stage("write")
    out = ctx.workdir
    write_csv(merged, out / "grid.csv")
    write_csv(reduced, out / "segments.csv")
    reference = load_audio(path, sr=22050, mono=True)
    write_ogg(reference, out / "reference.ogg")
    write_ogg(analysis_run.context.audio, out / "accompaniment.ogg")
    write_waveform(reference, out / "waveform.json")
    view = {
        "name": params.get("name", ""),
        "duration": analysis.duration,
        "tempo": analysis.tempo.bpm if analysis.tempo is not None else None,
        "key": str(analysis.key.key) if analysis.key is not None else None,
        "flags": list(analysis.flags),
        "candidates": candidates.to_dict(),
        "unsure_below": UNSURE_BELOW,
        "segments": _records(reduced),
        "windows": window_rows(merged, catalog, duration=analysis.duration),
        "extra": {stage: output_json(result) for stage, result in analysis.extra.items()},
        "extra_text": {stage: output_text(result) for stage, result in analysis.extra.items()},
    }
    (out / "track.json").write_text(json.dumps(view, indent=1), "utf-8")
    return {
        "duration": view["duration"],
        "tempo": view["tempo"],
        "key": view["key"],
        "segments": len(view["segments"]),
        "silent": "silent" in analysis.flags,
    }


def window_rows(merged: Any, catalog: Any, *, duration: float) -> list[dict[str, Any]]:
    """Per window of the 2-s grid: ``start``, ``end``, ``segment``, ``descriptor`` (the valid
    catalog entry the loop reads the window as), ``probability`` (the model's joint descriptor
    probability, else the lowest of its genre, subgenre and mood probabilities), ``tempo``,
    ``key``, ``unsure``, and ``span``: the part of the track (s) nearer this window's centre than
    any other's, so that the spans of all windows tile the track from 0 to ``duration``."""
    from mirloop.loop.reduce import window_descriptors
    from mirloop.types.descriptor import TARGETS
    from mirloop.types.prediction import UNKNOWN

    rows = []
    names = window_descriptors(merged, catalog) if len(merged) else []
    centres = [(float(r["start"]) + float(r["end"])) / 2 for r in merged.to_dict("records")]
    edges = [0.0] + [(a + b) / 2 for a, b in itertools.pairwise(centres)] + [float(duration)]
    for index, (record, name) in enumerate(zip(merged.to_dict("records"), names)):
        if "descriptor_probability" in record:
            probability = float(record["descriptor_probability"])
        else:
            parts = [record.get(f"{t}_probability") for t in ("genre", "subgenre", "mood")]
            known = [float(p) for p in parts if p is not None]
            probability = min(known) if known else math.nan
        unknown = any(record.get(t) == UNKNOWN for t in TARGETS)
        rows.append(
            {
                "start": float(record["start"]),
                "end": float(record["end"]),
                "segment": int(record.get("segment", 0)),
                "descriptor": name,
                "probability": None if math.isnan(probability) else round(probability, 3),
                "tempo": _number(record.get("tempo_bpm")),
                "key": record.get("key"),
                "unsure": unknown or name is None or not probability >= UNSURE_BELOW,
                "span": [round(edges[index], 3), round(max(edges[index], edges[index + 1]), 3)],
            }
        )
    return rows


def _records(table: Any) -> list[dict[str, Any]]:
    """A DataFrame's rows as JSON-ready dicts (NaN → ``None``)."""
    return [
        {str(k): (None if isinstance(v, float) and math.isnan(v) else _plain(v)) for k, v in row.items()}
        for row in table.to_dict("records")
    ]


def _plain(value: Any) -> Any:
    """NumPy scalars as Python ones."""
    return value.item() if hasattr(value, "item") else value


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else round(number, 1)


__all__ = ["UNSURE_BELOW", "check", "run", "window_rows"]
