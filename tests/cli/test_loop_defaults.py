"""``mirloop loop`` takes its defaults from the loop's settings: one source per option."""

from __future__ import annotations

import attrs
import click
import pytest

from mirloop.cli.loop import loop
from mirloop.pipelines import loop as pipeline


def _cli_defaults() -> dict[str, object]:
    ctx = click.Context(loop)
    return {str(param.name): param.get_default(ctx) for param in loop.params}


#: The command-line name of each setting the command exposes.
EXPOSED = {"renders": "renders", "descriptors": "descriptors", "tempi": "tempi", "keys": "keys",
           "seed": "seed", "joined": "joined", "tempo_margin": "tempo_margin", "separate": "separation",
           "audio": "audio"}


def test_every_exposed_setting_defaults_to_the_loop_settings_value() -> None:
    settings = pipeline.LoopSettings()
    defaults = _cli_defaults()
    assert {name: defaults[flag] for name, flag in EXPOSED.items()} == {
        name: getattr(settings, name) for name in EXPOSED
    }


def test_a_changed_loop_setting_changes_the_command_default(monkeypatch: pytest.MonkeyPatch) -> None:
    renders = {"renders": attrs.field(default=4)}
    changed = attrs.make_class("LoopSettings", renders, bases=(pipeline.LoopSettings,))
    monkeypatch.setattr(pipeline, "LoopSettings", changed)
    assert _cli_defaults()["renders"] == 4
