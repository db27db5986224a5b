"""Analysis jobs: an uploaded track analysed with the configured backends.

Parameters: ``{"file": <upload id>, "config": {<stage>: {<option>: value}} | None}``. Writes
the outputs of ``mirloop analyze`` under ``analysis/`` (JAMS, grid and segment tables, the
figure) and ``analysis.json``: tempo, key, segments, one row per 2-s grid window and ``extra``,
the JSON value of each stage a plugin adds (:attr:`Analysis.extra <mirloop.types.Analysis.extra>`,
by stage; also in the job's result). Stages: ``load``, ``analyze``, ``write``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from mirloop.errors import ConfigError
from mirloop.serve.settings import ServeSettings
from mirloop.stages import stage_records


def job_stages() -> tuple[str, ...]:
    """Stages a request's ``config`` may set: the analysis stages, those plugins add among them; the
    renderer, and any file, stay the server's choice."""
    from mirloop.plugins import registry

    registry()  # the plugins' stages are known once the registry is built
    return tuple(stage.name for stage in stage_records() if stage.analysis)


#: Options naming files, which a request may not set.
FILE_OPTIONS = frozenset({"model", "soundfont", "path", "file", "weights", "cache"})
NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:+-]{0,63}")


def job_config(config: Any) -> dict[str, dict[str, Any]]:
    """A request's analysis settings: stage tables of numbers, true/false and names, nothing that
    names a file (:class:`ConfigError` otherwise)."""
    if not isinstance(config, dict):
        raise ConfigError("'config' must be an object of stage tables, e.g. {\"tempo\": {\"max_bpm\": 180}}")
    checked: dict[str, dict[str, Any]] = {}
    stages = job_stages()
    for stage, table in config.items():
        if stage not in stages or not isinstance(table, dict):
            raise ConfigError(f"config.{stage}: a request may set the stages {', '.join(stages)}, "
                              "each as an object of options")
        for option, value in table.items():
            plain = isinstance(value, (bool, int, float)) or (
                isinstance(value, str) and NAME.fullmatch(value) is not None and ".." not in value
            )
            if option in FILE_OPTIONS or not plain:
                raise ConfigError(f"config.{stage}.{option}: a request may set numbers, true/false and "
                                  "backend names only; files are the server's to choose")
        checked[stage] = dict(table)
    return checked


def analysis_config(config_path: Any, job: dict[str, dict[str, Any]] | None) -> Any:
    """The server's configuration with a job's settings on top (a backend the job switches to gets
    the options the environment gives, ``$MIRLOOP_MODEL``, as :meth:`Config.merged` does)."""
    from mirloop.config import load_config

    config = load_config(config_path)
    return config.merged(job, source="job") if job else config


def check(params: dict[str, Any], settings: ServeSettings) -> dict[str, Any]:
    """The upload must exist; ``config`` holds stage settings (see :func:`job_config`), valid for
    the installed backends."""
    from mirloop.serve.files import FileStore
    from mirloop.serve.store import JobStore

    file_id = params.get("file")
    if not isinstance(file_id, str):
        raise ConfigError("an analysis job needs 'file': the id of an upload")
    FileStore(settings.data, JobStore(settings.database)).upload(file_id)
    config = params.get("config")
    if config is not None:
        from mirloop.pipelines.analyze import validate_analysis_config

        config = job_config(config)
        validate_analysis_config(analysis_config(settings.config_path, config))
    return {"file": file_id, "config": config}


def run(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
    from mirloop.io.tables import grid_table, segment_table
    from mirloop.pipelines.analyze import analyze_file, validate_analysis_config
    from mirloop.pipelines.outputs import write_outputs
    from mirloop.types.stage_output import output_json

    ctx.progress("load", 5)
    config = analysis_config(ctx.settings.config_path, params.get("config"))
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
        "extra": {stage: output_json(result) for stage, result in analysis.extra.items()},
    }
    (ctx.workdir / "analysis.json").write_text(json.dumps(summary, indent=2), "utf-8")
    return {key: summary[key] for key in ("duration", "tempo", "key", "extra")}
