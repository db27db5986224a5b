"""Renderer backends a third-party plugin could ship, for the dataset's renderer-stage tests.

Each renders for real, with the built-in renderer underneath, so what a dataset stores shows
whose render it is.
"""

from __future__ import annotations

from typing import Any, ClassVar

from attrs import evolve

from mirloop import hookimpl
from mirloop.renderer.backend import MirloopRenderer
from mirloop.stages import Backend, Option
from mirloop.types import RenderResult

#: The gain of :class:`HalfGainRenderer`: its renders are the built-in's, this much quieter.
GAIN = 0.5


class HalfGainRenderer(MirloopRenderer):
    """The built-in renderer with every render's level halved (all of its options)."""

    name: ClassVar[str] = "half-gain"
    summary: ClassVar[str] = "the built-in renderer, 6 dB quieter"

    def render(self, timeline: Any, seed: int | None = None) -> RenderResult:
        result = super().render(timeline, seed)
        return evolve(result, audio=evolve(result.audio, samples=result.audio.samples * GAIN))


class FixedRateRenderer(Backend):
    """A renderer with one option of its own and no ``sr`` or ``randomize``: it renders at 44.1 kHz."""

    name: ClassVar[str] = "fixed-rate"
    stage: ClassVar[str] = "renderer"
    summary: ClassVar[str] = "the built-in renderer at its defaults, reverb set by its own option"
    options: ClassVar[dict[str, Option]] = {"wet": Option(0.0, float, "reverb wet level")}

    def render(self, timeline: Any, seed: int | None = None) -> RenderResult:
        from mirloop.renderer import render

        return render(timeline, seed=seed, config={"reverb": self.opts["wet"]})


class AudioOnlyRenderer(FixedRateRenderer):
    """A plugin author's mistake: returns the render's audio, not the :class:`RenderResult`."""

    name: ClassVar[str] = "audio-only"

    def render(self, timeline: Any, seed: int | None = None) -> Any:
        return super().render(timeline, seed).audio


@hookimpl
def register_renderers(register: Any) -> None:
    register(HalfGainRenderer)
    register(FixedRateRenderer)
    register(AudioOnlyRenderer)
