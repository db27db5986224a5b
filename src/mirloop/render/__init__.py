"""The generative renderer: a descriptor timeline in, audio, MIDI and ground truth out — offline.

::

    import mirloop
    result = mirloop.render(timeline, seed=7)          # RenderResult
    result.audio, result.midi, result.truth.beats
    from mirloop.render import write_render
    write_render(result, "out.wav", midi=True, stems=True)   # + out.jams ground truth

Rule-based composition (:mod:`.compose`) → MIDI (:mod:`.midi`) → block-wise SoundFont
synthesis (:mod:`.synth`) → master gain, reverb and limiter (:mod:`.engine`). The same timeline
and seed give identical audio bytes.
"""

import sys
import types
from typing import Any

from mirloop.render.api import parse_key, render, render_descriptor
from mirloop.render.options import RenderOptions
from mirloop.render.result import GroundTruth, RegionTruth, RenderResult
from mirloop.render.writers import write_render

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


class _CallableModule(types.ModuleType):
    """``mirloop.render`` is both this package and the :func:`render` function.

    Importing any submodule (``mirloop.render.options``…) binds the package to the ``render``
    attribute of ``mirloop``, shadowing the lazily exported function; making the package
    callable keeps ``mirloop.render(timeline, seed=…)`` working either way.
    """

    def __call__(self, timeline: Any, *, seed: int | None = None, config: Any = None) -> RenderResult:
        return render(timeline, seed=seed, config=config)


sys.modules[__name__].__class__ = _CallableModule
