"""The built-in ``mirloop`` renderer backend (stage ``renderer``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from mirloop.renderer.option_table import OPTIONS
from mirloop.stages import Backend, Option

if TYPE_CHECKING:
    from mirloop.renderer.options import RenderOptions
    from mirloop.types import RenderResult


class MirloopRenderer(Backend):
    """Rule-based composition and SoundFont synthesis, offline; see :mod:`mirloop.renderer`."""

    name: ClassVar[str] = "mirloop"
    stage: ClassVar[str] = "renderer"
    summary: ClassVar[str] = "rule-based composer + General MIDI SoundFont synthesis (offline, seeded)"
    #: The renderer options, with their defaults (also those of :class:`~mirloop.renderer.RenderOptions`).
    options: ClassVar[dict[str, Option]] = OPTIONS

    def render(self, timeline: Any, seed: int | None = None) -> RenderResult:
        """Render ``timeline`` (a Timeline or its JSON) with this backend's options."""
        from mirloop.renderer.api import render
        from mirloop.renderer.options import RenderOptions

        return render(timeline, seed=seed, config=RenderOptions.from_mapping(self.opts))


def streamed_options(renderer: Any) -> RenderOptions | None:
    """The :class:`~mirloop.renderer.RenderOptions` of ``renderer`` when its renders can be made
    block by block instead of in memory (the built-in renderer without domain randomisation,
    :func:`mirloop.renderer.production.streams`): memory then does not grow with a render's
    length. ``None`` for any other renderer, whose :meth:`render` makes the whole result (a
    subclass of the built-in renderer that overrides :meth:`~MirloopRenderer.render` among them)."""
    from mirloop.renderer.options import RenderOptions
    from mirloop.renderer.production import streams

    if not isinstance(renderer, MirloopRenderer) or type(renderer).render is not MirloopRenderer.render:
        return None
    options = RenderOptions.from_mapping(renderer.opts)
    return options if streams(options) else None
