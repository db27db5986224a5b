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

from mirloop.renderer.api import parse_key, render, render_descriptor
from mirloop.renderer.options import RenderOptions
from mirloop.renderer.result import GroundTruth, RegionTruth, RenderResult
from mirloop.renderer.writers import write_render

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
