"""The renderer stage's result type lives in ``mirloop.types`` with the other stages' results."""

from __future__ import annotations

from mirloop import types
from mirloop.renderer import RenderResult as FromRenderer
from mirloop.renderer.backend import MirloopRenderer
from mirloop.renderer.result import RenderResult as FromOldModule
from mirloop.stages import Renderer


def test_render_result_is_a_value_type_still_importable_from_the_renderer() -> None:
    assert types.RenderResult.__module__ == "mirloop.types.render"
    assert FromRenderer is types.RenderResult and FromOldModule is types.RenderResult
    assert types.GroundTruth.__module__ == types.RegionTruth.__module__ == "mirloop.types.render"


def test_the_renderer_protocol_and_the_builtin_backend_return_a_render_result() -> None:
    assert Renderer.render.__annotations__["return"] == "RenderResult"
    assert MirloopRenderer.render.__annotations__["return"] == "RenderResult"
