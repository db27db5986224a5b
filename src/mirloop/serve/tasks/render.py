"""Render jobs: a timeline rendered by the configured renderer backend, written as a preset.

Presets (Amper's names): ``MASTER_WAV`` (``master.wav``), ``MASTER_MP3`` (``master.mp3``) and
``STEMS_WAV`` (``master.wav`` and one WAV per instrument in ``master_stems/``); each also
writes the MIDI (``master.mid``), the ground truth (``master.jams``, and ``truth.json`` in full,
see :mod:`mirloop.amper.truth`) and the timeline rendered (``timeline.json``). Stages:
``compose`` (the timeline is read and resolved into regions), ``waiting_render``, ``render``
(the backend renders), ``write``.

With the built-in renderer and no domain randomisation the job streams its render into the
file (and, for ``STEMS_WAV``, into the stems) block by block, as ``mirloop render`` does: its
memory does not grow with the timeline, whose length is then limited by
``MIRLOOP_MAX_STREAMED_RENDER_SECONDS`` (24 h) rather than ``MIRLOOP_MAX_RENDER_SECONDS`` (1 h).
"""

from __future__ import annotations

import json
import time
from functools import cache
from typing import Any

from mirloop.errors import MirloopError, RenderError
from mirloop.serve.settings import ServeSettings

PRESETS: dict[str, str] = {"MASTER_WAV": "master.wav", "MASTER_MP3": "master.mp3", "STEMS_WAV": "master.wav"}


def check(params: dict[str, Any], settings: ServeSettings) -> dict[str, Any]:
    """``{"timeline": ..., "preset": ..., "seed": int | None}`` checked: the timeline against its
    schema and the catalog (:class:`~mirloop.errors.TimelineError` naming the JSON path)."""
    from mirloop.timeline import Timeline

    preset = params.get("preset", "MASTER_WAV")
    if preset not in PRESETS:
        raise RenderError(f"unknown preset {preset!r}; use one of {', '.join(PRESETS)}")
    if preset == "MASTER_MP3" and not mp3_writable():
        raise RenderError("this server's libsndfile cannot write MP3 (it needs 1.1 or later); use MASTER_WAV")
    seed = params.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**31):
        raise RenderError(f"the seed must be a whole number in [0, 2**31), got {seed!r}")
    timeline = Timeline.from_json(params.get("timeline"))  # type: ignore[arg-type]
    from mirloop.limits import MAX_RENDER_SECONDS, MAX_STREAMED_RENDER_SECONDS

    try:
        streamed = streamed_options(renderer_for(settings, stems=preset == "STEMS_WAV")) is not None
    except MirloopError:  # a renderer that cannot be made fails the job when it runs, as before
        streamed = False
    limit = MAX_STREAMED_RENDER_SECONDS if streamed else MAX_RENDER_SECONDS
    limit.check(timeline.duration, "the timeline lasts", error=RenderError)
    return {"timeline": timeline.to_json(), "preset": preset, "seed": seed}


@cache
def mp3_writable() -> bool:
    """Whether this machine writes MP3 (checked once)."""
    from mirloop.renderer.effects.codec import mp3_available

    return mp3_available()


def renderer_for(settings: ServeSettings, *, stems: bool) -> Any:
    """The configured renderer backend (configuration, then ``settings.renderer``), with stems
    asked for when it has that option."""
    from mirloop.config import load_config
    from mirloop.plugins import registry

    config = load_config(settings.config_path)
    name = str(settings.renderer.get("backend") or config.backend("renderer"))
    options: dict[str, Any] = dict(config.options("renderer")) if name == config.backend("renderer") else {}
    options.update({k: v for k, v in settings.renderer.items() if k != "backend"})
    if stems and "stems" in registry().get("renderer", name).option_table:
        options["stems"] = True
    return registry().create("renderer", name, options)


def streamed_options(renderer: Any) -> Any:
    """The renderer options of a job that streams its render into the file block by block, as
    ``mirloop render`` does, else ``None`` (:func:`mirloop.renderer.backend.streamed_options`)."""
    from mirloop.renderer.backend import streamed_options as options_of

    return options_of(renderer)


def run(ctx: Any, params: dict[str, Any]) -> dict[str, Any]:
    from mirloop.amper.truth import truth_to_dict
    from mirloop.timeline import Timeline

    ctx.progress("compose", 5)
    _wait(ctx, ctx.settings.faults.render_delay)
    timeline = Timeline.from_json(params["timeline"])
    regions = timeline.regions()
    ctx.progress("compose", 20)
    preset = params["preset"]
    renderer = renderer_for(ctx.settings, stems=preset == "STEMS_WAV")
    ctx.progress("waiting_render", 25)
    ctx.progress("render", 30)
    options = streamed_options(renderer)
    if options is not None:
        target = ctx.workdir / PRESETS[preset]
        seed, duration, sr, truth = _stream(ctx, timeline, params.get("seed"), options, target,
                                            stems=preset == "STEMS_WAV")
    else:
        seed, duration, sr, truth = _in_memory(ctx, renderer, timeline, params.get("seed"), preset)
    (ctx.workdir / "timeline.json").write_text(json.dumps(timeline.to_json(), indent=2), "utf-8")
    (ctx.workdir / "truth.json").write_text(json.dumps(truth_to_dict(truth)), "utf-8")
    return {
        "preset": preset,
        "seed": seed,
        "duration": duration,
        "sr": sr,
        "regions": [
            {"start": r.start, "end": r.end, "descriptor": r.descriptor, "band": r.band, "tempo": r.tempo,
             "key": str(r.key) if r.key else None}
            for r in truth.regions
        ],
        "region_count": len(regions),
    }


def _stream(
    ctx: Any, timeline: Any, seed: int | None, options: Any, path: Any, *, stems: bool
) -> tuple[int, float, int, Any]:
    """The render written block by block into ``path`` (with its MIDI, JAMS and, with ``stems``,
    its stems folder), as ``mirloop render``."""
    from mirloop.renderer.api import prepare_streamed
    from mirloop.renderer.writers import write_streamed_render

    prepared = prepare_streamed(timeline, seed=seed, config=options)
    ctx.progress("write", 40)  # the audio is rendered as it is written
    write_streamed_render(prepared, path, midi=True, stems=stems, jams=True)
    return prepared.seed, prepared.duration, prepared.options.sr, prepared.truth


def _in_memory(
    ctx: Any, renderer: Any, timeline: Any, seed: int | None, preset: str
) -> tuple[int, float, int, Any]:
    """The render made in memory by ``renderer`` (stems, domain randomisation, another backend),
    then written."""
    from mirloop.renderer.writers import write_render

    result = renderer.render(timeline, seed=seed)
    ctx.progress("write", 85)
    if preset == "STEMS_WAV" and not result.stems:
        raise RenderError(
            "the renderer returned no stems for preset STEMS_WAV; configure a renderer that makes them"
        )
    write_render(result, ctx.workdir / PRESETS[preset], midi=True, stems=preset == "STEMS_WAV", jams=True)
    return result.seed, result.duration, result.audio.sr, result.truth


def _wait(ctx: Any, seconds: float) -> None:
    """Wait ``seconds`` (a fault setting), reporting progress so an abandoned run stops."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(min(0.2, max(0.0, end - time.monotonic())))
        ctx.progress("compose", 5)
