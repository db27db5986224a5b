"""mirloop — machine listening and music production in one feedback loop.

The public API is small; everything is imported lazily so ``import mirloop`` stays fast::

    import mirloop
    analysis = mirloop.analyze("track.ogg", config={"tempo": {"max_bpm": 200}})
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from mirloop.errors import (
    AudioError,
    BackendNotFoundError,
    ConfigError,
    DescriptorError,
    MirloopError,
    ModelError,
    OptionError,
    PluginError,
    RenderError,
    TimelineError,
)
from mirloop.plugins import hookimpl

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "analyze": "mirloop.pipelines.analyze:analyze",
    "analyze_audio": "mirloop.pipelines.analyze:analyze_audio",
    "load_audio": "mirloop.io.audio:load_audio",
    "load_config": "mirloop.config:load_config",
    "registry": "mirloop.plugins:registry",
    "render": "mirloop.renderer:render",
    "render_descriptor": "mirloop.renderer:render_descriptor",
    "run_loop": "mirloop.loop.run:run_loop",
    "load_catalog": "mirloop.catalog:load_catalog",
}

if TYPE_CHECKING:
    from mirloop.catalog import load_catalog
    from mirloop.config import load_config
    from mirloop.io.audio import load_audio
    from mirloop.loop.run import run_loop
    from mirloop.pipelines.analyze import analyze, analyze_audio
    from mirloop.plugins import registry
    from mirloop.renderer import render, render_descriptor


def __getattr__(name: str) -> Any:
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'mirloop' has no attribute {name!r}")
    module, _, attr = target.partition(":")
    value = getattr(import_module(module), attr)
    globals()[name] = value
    return value


__all__ = [
    "AudioError",
    "BackendNotFoundError",
    "ConfigError",
    "DescriptorError",
    "MirloopError",
    "ModelError",
    "OptionError",
    "PluginError",
    "RenderError",
    "TimelineError",
    "__version__",
    "analyze",
    "analyze_audio",
    "hookimpl",
    "load_audio",
    "load_catalog",
    "load_config",
    "registry",
    "render",
    "render_descriptor",
    "run_loop",
]
