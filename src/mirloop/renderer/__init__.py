"""The generative renderer: a descriptor timeline in, audio, MIDI and ground truth out — offline.

::

    import mirloop
    result = mirloop.render(timeline, seed=7)          # RenderResult
    result.audio, result.midi, result.truth.beats
    from mirloop.renderer import write_render
    write_render(result, "out.wav", midi=True, stems=True)   # + out.jams ground truth

Rule-based composition (:mod:`.compose`) → MIDI (:mod:`.midi`) → block-wise SoundFont
synthesis (:mod:`.synth`) → master gain, reverb and limiter (:mod:`.engine`). The same timeline
and seed give identical audio bytes.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mirloop.renderer.api import parse_key, render, render_descriptor
    from mirloop.renderer.options import RenderOptions
    from mirloop.renderer.writers import write_render
    from mirloop.types.render import GroundTruth, RegionTruth, RenderResult

#: Public names and the module that defines each; loaded on first use, so that registering the
#: renderer backend (``mirloop.renderer.backend``) costs nothing.
_EXPORTS = {
    "GroundTruth": "mirloop.types.render",
    "RegionTruth": "mirloop.types.render",
    "RenderOptions": "mirloop.renderer.options",
    "RenderResult": "mirloop.types.render",
    "parse_key": "mirloop.renderer.api",
    "render": "mirloop.renderer.api",
    "render_descriptor": "mirloop.renderer.api",
    "write_render": "mirloop.renderer.writers",
}

__all__ = [
    "GroundTruth",
    "RegionTruth",
    "RenderOptions",
    "RenderResult",
    "parse_key",
    "render",
    "render_descriptor",
    "write_render",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mirloop.renderer' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
