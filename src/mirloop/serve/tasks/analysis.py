"""Analysis jobs: an uploaded track analysed with the configured backends.

Parameters: ``{"file": <upload id>, "config": {<stage>: {<option>: value}} | None}``. Writes
the outputs of ``mirloop analyze`` under ``analysis/`` (JAMS, grid and segment tables, the
figure) and ``analysis.json``: tempo, key, segments and one row per 2-s grid window. Stages:
``load``, ``analyze``, ``write``.
"""

from __future__ import annotations

import json
from typing import Any

from mirloop.errors import ConfigError
from mirloop.serve.settings import ServeSettings


def check(params: dict[str, Any], settings: ServeSettings) -> dict[str, Any]:
    """The upload must exist; ``config`` must be a mapping of stage tables (checked when run)."""
    from mirloop.serve.files import FileStore
    from mirloop.serve.store import JobStore

    file_id = params.get("file")
    if not isinstance(file_id, str):
        raise ConfigError("an analysis job needs 'file': the id of an upload")
    FileStore(settings.data, JobStore(settings.database)).upload(file_id)
    config = params.get("config")
    if config is not None and not isinstance(config, dict):
        raise ConfigError("'config' must be an object of stage tables, e.g. {\"tempo\": {\"max_bpm\": 180}}")
    return {"file": file_id, "config": config}


def run(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
    from mirloop.config import load_config
    from mirloop.io.tables import grid_table, segment_table
    from mirloop.pipelines.analyze import analyze_file, validate_analysis_config
    from mirloop.pipelines.outputs import write_outputs

    ctx.progress("load", 5)
    config = load_config(ctx.settings.config_path)
    if params.get("config"):
        config = config.merged(params["config"], source="job")
    validate_analysis_config(config)
    path = ctx.files.upload_path(params["file"])
    ctx.progress("analyze", 10)
    analysis_run = analyze_file(path, config=config)
    ctx.progress("write", 80)
    write_outputs(analysis_run, ctx.workdir, name="analysis")
    analysis = analysis_run.analysis
    summary = {
        "duration": analysis.duration,
        "tempo": analysis.tempo.bpm if analysis.tempo else None,
        "key": str(analysis.key.key) if analysis.key else None,
        "segments": json.loads(segment_table(analysis).to_json(orient="records")),
        "grid": json.loads(grid_table(analysis).to_json(orient="records")),
    }
    (ctx.workdir / "analysis.json").write_text(json.dumps(summary, indent=2), "utf-8")
    return {"duration": summary["duration"], "tempo": summary["tempo"], "key": summary["key"]}
