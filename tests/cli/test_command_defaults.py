"""The commands take their defaults from the library (one source per option): ``mirloop loop``
from the loop's settings, ``mirloop dataset generate`` from ``generate_dataset``."""

from __future__ import annotations

import attrs
import click
import pytest

from mirloop.cli.loop import loop
from mirloop.loop import settings as loop_settings


def _cli_defaults(command: click.Command = loop) -> dict[str, object]:
    ctx = click.Context(command)
    return {str(param.name): param.get_default(ctx) for param in command.params}


#: The command-line name of each setting the command exposes.
EXPOSED = {"renders": "renders", "descriptors": "descriptors", "tempi": "tempi", "keys": "keys",
           "seed": "seed", "joined": "joined", "tempo_margin": "tempo_margin", "separate": "separation",
           "audio": "audio"}


def test_every_exposed_setting_defaults_to_the_loop_settings_value() -> None:
    settings = loop_settings.LoopSettings()
    defaults = _cli_defaults()
    assert {name: defaults[flag] for name, flag in EXPOSED.items()} == {
        name: getattr(settings, name) for name in EXPOSED
    }


def test_a_changed_loop_setting_changes_the_command_default(monkeypatch: pytest.MonkeyPatch) -> None:
    renders = {"renders": attrs.field(default=4)}
    changed = attrs.make_class("LoopSettings", renders, bases=(loop_settings.LoopSettings,))
    monkeypatch.setattr(loop_settings, "LoopSettings", changed)
    assert _cli_defaults()["renders"] == 4


def test_dataset_generate_defaults_to_the_keywords_of_generate_dataset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import inspect

    from mirloop.cli.dataset import generate
    from mirloop.dataset import generate as module

    keywords = inspect.signature(module.generate_dataset).parameters
    defaults = _cli_defaults(generate)
    for name in ("per_descriptor", "seed", "sr", "store", "randomize", "audio_format"):
        assert defaults[name] == keywords[name].default, name
    assert defaults["durations"] == "10,30,60"

    other = {"per_descriptor": 5, "durations": (7.5, 20.0)}

    def changed(*args: object, **kwargs: object) -> None:
        """A stand-in for generate_dataset with other defaults."""

    changed.__signature__ = inspect.signature(module.generate_dataset).replace(  # type: ignore[attr-defined]
        parameters=[p.replace(default=other.get(p.name, p.default)) for p in keywords.values()]
    )
    monkeypatch.setattr(module, "generate_dataset", changed)
    defaults = _cli_defaults(generate)
    assert (defaults["per_descriptor"], defaults["durations"]) == (5, "7.5,20")
