"""Track render jobs (kind ``track_render``): the second half of the feedback loop, with the
listener's changes.

Parameters::

    {"track": <id of a finished track job>,
     "segments": [{"descriptor", "tempo", "key"}, ...],   # one per form segment
     "single": {"descriptor", "tempo", "key"} | None,     # a single-region render of the whole track
     "renders": 1,                                         # multi-region variations (0–MAX_RENDERS)
     "seed": 0}

The changed segments go through the loop's own planning (:func:`mirloop.loop.renders.plan_multi`,
:func:`~mirloop.loop.renders.plan_single`: tempi fitted into each descriptor's range, keys in
its mode, segments under a second joined to their predecessor), every render is made by the
configured renderer (with stems when the renderer makes them) and heard again as ``mirloop
loop`` hears its renders (stored 16-bit mono,
:func:`mirloop.loop.configuration.render_analysis_config`). With the built-in renderer (without
domain randomisation, :func:`mirloop.renderer.backend.streamed_options`) a render is never held
whole: its blocks go, as they are made, into the WAV, the stems, the FLAC, the OGG, the
waveform and the heard signal (:mod:`mirloop.serve.web.streamed_files`), which hold the samples
of the in-memory render; any other renderer's whole result is written, then dropped.

Per render ``<name>/`` holds ``<name>.wav``, ``.flac``, ``.mid``, ``.jams`` (ground truth),
``.timeline.json`` (the Amper timeline), ``.ogg`` and ``.waveform.json`` (for the player),
``<name>_stems/`` and ``<name>_stems.zip`` when there are stems; ``renders.json`` lists them
with their regions and what the classifier heard in each. A failed render is listed with its
error and the others are kept; the job fails only when every render failed.
Every file is written atomically. Stages: ``plan``, ``render <name>`` (which writes a streamed
render's files), ``write <name>`` (an in-memory render's files), ``re-classify <name>``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mirloop.errors import ConfigError, RenderError
from mirloop.io.atomic import atomic_open
from mirloop.serve.settings import ServeSettings
from mirloop.serve.web.streamed_files import MadeRender, stream_files

#: Most multi-region variations one job makes.
MAX_RENDERS = 10


def check(params: dict[str, Any], settings: ServeSettings) -> dict[str, Any]:
    """The track job must be finished; every edit is checked (:mod:`mirloop.serve.web.edits`)."""
    from mirloop.serve.web.edits import check_edit, check_edits

    track = _track_view(settings, params.get("track"))
    renders = params.get("renders", 1)
    if not isinstance(renders, int) or isinstance(renders, bool) or not 0 <= renders <= MAX_RENDERS:
        raise ConfigError(f"'renders' must be a whole number from 0 to {MAX_RENDERS}, got {renders!r}")
    seed = params.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**31:
        raise ConfigError(f"'seed' must be a whole number in [0, 2**31), got {seed!r}")
    single = params.get("single")
    if single is not None and not isinstance(single, dict):
        raise ConfigError("'single' must be an object {descriptor, tempo, key} or null")
    if renders == 0 and single is None:
        raise ConfigError(
            "nothing to render: ask for a single-region render or at least one multi-region render"
        )
    segments = params.get("segments")
    if not isinstance(segments, list) or not all(isinstance(s, dict) for s in segments):
        raise ConfigError("'segments' must be a list of objects {descriptor, tempo, key}, one per segment")
    return {
        "track": params["track"],
        "segments": check_edits(segments, segments=len(track["segments"])),
        "single": None if single is None else check_edit(single, where="the single-region render"),
        "renders": renders,
        "seed": seed,
    }


def _track_view(settings: ServeSettings, track_id: Any) -> dict[str, Any]:
    """``track.json`` of the finished track job ``track_id``."""
    from mirloop.serve.errors import NotFound
    from mirloop.serve.files import FileStore
    from mirloop.serve.store import JobState, JobStore

    if not isinstance(track_id, str):
        raise ConfigError("a track render needs 'track': the id of a finished track job")
    store = JobStore(settings.database)
    job = store.get(track_id)
    if job.kind != "track":
        raise NotFound(f"no track job {track_id!r}")
    if job.state != JobState.DONE:
        raise ConfigError(
            f"the track job {track_id} is {job.state.value}; render it once its analysis is done"
        )
    path = FileStore(settings.data, store).output_path(job, "track.json")
    view: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return view


def run(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    from mirloop.config import load_config
    from mirloop.loop.configuration import loop_config
    from mirloop.loop.reduce import Candidates
    from mirloop.loop.renders import plan_multi, plan_single
    from mirloop.serve.tasks.render import renderer_for, streamed_options
    from mirloop.types import Segment

    ctx.progress("plan", 2)
    track = _track_view(ctx.settings, params["track"])
    segments = edited_segments(pd.DataFrame(track["segments"]), params["segments"])
    config = loop_config(load_config(ctx.settings.config_path), separate=True)
    seed = int(params["seed"])
    jobs = []
    if params.get("single"):
        single = params["single"]
        chosen = Candidates(
            descriptors=(single["descriptor"],),
            tempi=() if single["tempo"] is None else (single["tempo"],),
            keys=() if single["key"] is None else (single["key"],),
        )
        jobs += plan_single("track", chosen, float(track["duration"]), seed=seed)
    jobs += plan_multi("track", segments, renders=int(params["renders"]), seed=seed)
    if not jobs:
        raise RenderError(
            "no render to make: every segment is shorter than a second and no single-region render"
        )
    inputs = [Segment(float(r.start), float(r.end), str(r.label)) for r in segments.itertuples()]
    renderer = renderer_for(ctx.settings, stems=True)
    options = streamed_options(renderer)
    listed = []
    for index, job in enumerate(jobs):
        share = 90 / len(jobs)
        ctx.progress(f"render {job.name}", 5 + index * share)
        if options is not None:
            made = stream_files(job, options, ctx.workdir)
        else:
            made = _render_whole(ctx, job, renderer, 5 + (index + 0.5) * share)
        entry: dict[str, Any] = {
            "name": job.name,
            "kind": job.kind,
            "seed": job.seed,
            "regions": regions(job.timeline),
            "ok": made.ok,
            "error": made.error,
        }
        listed.append(entry)
        if made.signal is not None:
            ctx.progress(f"re-classify {job.name}", 5 + (index + 0.8) * share)
            entry.update(heard(made.signal, job, inputs, config))
            entry["files"] = made.files
        del made  # a render's heard signal: no longer than its hearing needs it
    summary = {"track": params["track"], "duration": track["duration"], "renders": listed}
    with atomic_open(ctx.workdir / "renders.json", "w") as handle:
        handle.write(json.dumps(summary, indent=1))
    failed = [r for r in listed if not r["ok"]]
    if len(failed) == len(listed):
        raise RenderError(f"every render failed; the first: {failed[0]['error']}")
    return {"renders": len(listed), "failed": len(failed)}


def _render_whole(ctx: Any, job: Any, renderer: Any, progress: float) -> MadeRender:
    """A render made whole by ``renderer``; its files written; kept: the signal heard."""
    from mirloop.dataset.render_job import stored_analysis_audio
    from mirloop.loop.renders import run_render

    outcome = run_render(job, renderer)
    if outcome.audio is None:
        return MadeRender(error=outcome.error)
    ctx.progress(f"write {job.name}", progress)
    files = write_files(outcome, job, ctx.workdir)
    return MadeRender(signal=stored_analysis_audio(outcome.audio), files=files)


def edited_segments(segments: Any, edits: list[dict[str, Any]]) -> Any:
    """The track's reduced segments with each segment's descriptor, tempo and key as edited."""
    edited = segments.copy()
    edited["descriptor"] = [e["descriptor"] for e in edits]
    edited["tempo_bpm"] = [float("nan") if e["tempo"] is None else float(e["tempo"]) for e in edits]
    edited["key"] = [e["key"] for e in edits]
    return edited


def regions(timeline: Any) -> list[dict[str, Any]]:
    """``start``, ``end``, ``descriptor``, ``tempo`` and ``key`` of each region as rendered."""
    return [
        {
            "start": round(r.start, 3),
            "end": round(r.end, 3),
            "descriptor": r.descriptor.name,
            "tempo": round(float(r.tempo), 1),
            "key": str(r.key),
        }
        for r in timeline.regions()
    ]


def heard(signal: Any, job: Any, inputs: list[Any], config: Any) -> dict[str, Any]:
    """What the classifier hears in the render, as the loop hears its renders: ``heard`` (the
    descriptor of the whole render, or of each region) and ``boundaries_found`` (the segmenter's
    inner boundaries in a multi-region render, s). ``signal`` is the render as a dataset stores
    it (:func:`mirloop.dataset.render_job.stored_analysis_audio`)."""
    from mirloop.loop.configuration import render_analysis_config
    from mirloop.loop.merge import merged_grid
    from mirloop.loop.reduce import segment_majorities
    from mirloop.loop.renders import SINGLE
    from mirloop.loop.rows import combo
    from mirloop.pipelines.analyze import analyze_samples

    single = job.kind == SINGLE
    listened = analyze_samples(signal, config=render_analysis_config(config, segment=not single)).analysis
    prediction = listened.prediction
    if prediction is None:
        return {"heard": [], "boundaries_found": []}
    if single:
        return {"heard": [combo({t: prediction[t].track_label for t in ("genre", "subgenre", "mood")})],
                "boundaries_found": []}
    owned = [inputs[i] for i in job.segments]
    found = listened.segmentation.segments[1:] if listened.segmentation is not None else []
    return {
        "heard": [combo(labels) for labels in segment_majorities(merged_grid(listened), owned)],
        "boundaries_found": [round(s.start, 2) for s in found],
    }


def write_files(outcome: Any, job: Any, workdir: Path) -> dict[str, Any]:
    """Every download of one render in ``workdir/<name>/``; returns their names by kind."""
    from mirloop.io.audio_out import write_ogg
    from mirloop.renderer.writers import write_audio, write_render
    from mirloop.serve.web.media import write_waveform
    from mirloop.serve.web.streamed_files import listed_files, write_timeline

    name = job.name
    folder = workdir / name
    folder.mkdir(parents=True, exist_ok=True)
    result = outcome.result
    stems = bool(getattr(result, "stems", None))
    write_render(result, folder / f"{name}.wav", midi=True, stems=stems, jams=True)
    write_audio(outcome.audio, folder / f"{name}.flac")
    write_ogg(outcome.audio, folder / f"{name}.ogg")
    write_waveform(outcome.audio, folder / f"{name}.waveform.json")
    write_timeline(job, folder)
    return listed_files(folder, name, stems=stems)


__all__ = ["MAX_RENDERS", "check", "edited_segments", "heard", "regions", "run", "write_files"]
