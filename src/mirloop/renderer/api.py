"""The public entry points: render a timeline, or a single descriptor, to a :class:`RenderResult`."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mirloop.errors import RenderError
from mirloop.renderer.choices import choose_band, choose_key, choose_tempo
from mirloop.renderer.compose import rng_for
from mirloop.renderer.from_timeline import plans_from_regions
from mirloop.renderer.options import RenderOptions
from mirloop.renderer.plan import RegionPlan
from mirloop.renderer.production import Prepared, render_plans
from mirloop.types import Descriptor, Key
from mirloop.types.render import RenderResult

#: A region ringing out ends with a final chord this many seconds long (as in Amper's default).
RINGOUT_SECONDS = 2.0


def resolve_options(config: Any) -> RenderOptions:
    """Renderer options from ``RenderOptions``, a mapping of options, a :class:`mirloop.config.Config`
    (its ``renderer`` table) or ``None`` (the discovered configuration)."""
    if isinstance(config, RenderOptions):
        return config
    if config is None or isinstance(config, (str, os.PathLike)):
        from mirloop.config import load_config

        return RenderOptions.from_mapping(load_config(config).options("renderer"))
    if isinstance(config, Mapping):
        table = config.get("renderer", config)
        if isinstance(table, Mapping):
            return RenderOptions.from_mapping({k: v for k, v in table.items() if k != "backend"})
    options = getattr(config, "options", None)
    if callable(options):
        return RenderOptions.from_mapping(options("renderer"))
    raise RenderError(f"cannot read renderer options from {type(config).__name__}; pass a mapping of options")


def draw_seed() -> int:
    """A fresh random seed (recorded in the result so the render can be repeated)."""
    return secrets.randbelow(2**31)


def render(timeline: Any, *, seed: int | None = None, config: Any = None) -> RenderResult:
    """Render a timeline to audio, MIDI and ground truth.

    ``timeline`` is a :class:`mirloop.timeline.Timeline`, its JSON (dict, string or path), or a
    list of :class:`~mirloop.renderer.plan.RegionPlan`. ``seed`` fixes every random choice (default:
    the timeline's ``random_seed``, else a fresh one); the same timeline and seed give identical
    audio. ``config`` holds renderer options (see :class:`RenderOptions`).
    """
    options = resolve_options(config)
    plans, duration, seed = _plans(timeline, seed)
    return render_plans(plans, duration, seed, options)


def prepare_streamed(timeline: Any, *, seed: int | None = None, config: Any = None) -> Prepared:
    """A timeline composed and ready to be written block by block to a file
    (:func:`mirloop.renderer.writers.write_streamed_render`): arguments as :func:`render`.

    Only renders without domain randomisation stream (:func:`~mirloop.renderer.production.streams`);
    their length is limited by :data:`~mirloop.limits.MAX_STREAMED_RENDER_SECONDS` (24 h), not
    by the in-memory :data:`~mirloop.limits.MAX_RENDER_SECONDS` (1 h).
    """
    options = resolve_options(config)
    plans, duration, seed = _plans(timeline, seed)
    return Prepared(plans, duration, seed, options, streamed=True)


def _plans(timeline: Any, seed: int | None) -> tuple[list[RegionPlan], float, int]:
    """The region plans, duration and seed of ``timeline`` (as :func:`render` takes it)."""
    if isinstance(timeline, list) and all(isinstance(p, RegionPlan) for p in timeline):
        duration = max(p.end for p in timeline) if timeline else 0.0
        return timeline, duration, draw_seed() if seed is None else seed
    from mirloop.timeline import Timeline

    if not isinstance(timeline, Timeline):
        timeline = Timeline.from_json(timeline if not isinstance(timeline, Path) else str(timeline))
    if seed is None:
        seed = timeline.random_seed if timeline.random_seed is not None else draw_seed()
    return plans_from_regions(timeline.regions(), seed), timeline.duration, seed


def descriptor_plan(
    descriptor: Descriptor,
    duration: float,
    seed: int,
    *,
    tempo: float | None = None,
    key: Key | None = None,
    tonic: str | None = None,
    band: str | None = None,
    cut: bool = False,
) -> RegionPlan:
    """One region of ``descriptor`` lasting ``duration`` s; what is not given is drawn from ``seed``."""
    if duration <= 0:
        raise RenderError(f"duration must be positive, got {duration} s")
    rng = rng_for(seed, "descriptor", descriptor.name)
    chosen_tempo = choose_tempo(descriptor, rng) if tempo is None else float(tempo)
    chosen_key, scale = choose_key(descriptor, key, tonic, rng)
    chosen_band = choose_band(descriptor, band, rng)
    style = descriptor.style
    return RegionPlan(
        index=0,
        start=0.0,
        end=float(duration),
        descriptor=descriptor,
        band=chosen_band,
        tempo=chosen_tempo,
        key=chosen_key,
        scale=scale,
        cut=cut,
        intro=style.intro * duration,
        ending=style.ending * duration,
        climax=style.climax,
        ringout=None if cut else max(0.0, duration - RINGOUT_SECONDS),
    )


def render_descriptor(
    descriptor: Descriptor | str,
    duration: float,
    *,
    seed: int | None = None,
    tempo: float | None = None,
    key: Key | str | None = None,
    band: str | None = None,
    cut: bool = False,
    config: Any = None,
) -> RenderResult:
    """Render one descriptor (name or value) for ``duration`` s; ``key`` as a Key or text
    (``"F# minor"``, ``"fis minor"``, ``"F#:minor"``, or a tonic alone)."""
    if isinstance(descriptor, str):
        from mirloop.catalog import load_catalog

        descriptor = load_catalog().get(descriptor)
    if seed is None:
        seed = draw_seed()
    parsed_key, tonic = parse_key(key) if isinstance(key, str) else (key, None)
    plan = descriptor_plan(
        descriptor, duration, seed, tempo=tempo, key=parsed_key, tonic=tonic, band=band, cut=cut
    )
    return render_plans([plan], float(duration), seed, resolve_options(config))


def parse_key(text: str) -> tuple[Key | None, str | None]:
    """``"fis minor"``, ``"F#:minor"``, ``"Bb major"``, ``"c"`` → (Key, None) or (None, tonic), read
    by :func:`mirloop.types.spelling.read_key`."""
    from mirloop.types.spelling import read_key

    tonic, mode = read_key(text)
    return (None, tonic) if mode is None else (Key(tonic, mode), None)
