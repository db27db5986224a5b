"""``mirloop config``: the resolved configuration, the layers it came from, and a validity check."""

from __future__ import annotations

import json
from typing import Any

import click

from mirloop.cli.common import config_options, echo_json, json_option, resolve_config


@click.command()
@config_options
@json_option
@click.option("--check", is_flag=True, help="Check that every backend is installed and accepts its options.")
def config(
    config_path: str | None, use: tuple[str, ...], set_: tuple[str, ...], as_json: bool, check: bool
) -> None:
    """Print the configuration mirloop would use here, as TOML (save it as mirloop.toml).

    Layers, later wins: built-in defaults, [tool.mirloop] in pyproject.toml, mirloop.toml,
    MIRLOOP_CONFIG / MIRLOOP_USE / MIRLOOP_SET, --config, --use, --set.
    """
    resolved = resolve_config(config_path, use, set_)
    notes: list[str] = []
    if check:
        from mirloop.plugins import registry

        resolved.validate()  # raises ConfigError, printed as "error: …" with exit status 2
        notes = registry().notes()  # plugin switches, clashes and failures that do not break this config
    if as_json:
        data: dict[str, Any] = {"sources": list(resolved.sources), "stages": resolved.to_dict()}
        if check:
            data["valid"] = True
            data["notes"] = notes
        echo_json(data)
        return
    click.echo(format_config(resolved.to_dict(), resolved.sources))
    if check:
        click.echo("# configuration is valid: every backend is installed and accepts its options")
        for note in notes:
            click.echo(f"# note: {note}")


def format_config(stages: dict[str, dict[str, Any]], sources: tuple[str, ...]) -> str:
    """The configuration as TOML, headed by the layers it was built from."""
    lines = ["# layers, later wins:"]
    lines.extend(f"#   {index}. {source}" for index, source in enumerate(sources, 1))
    for stage, table in stages.items():
        lines.append("")
        lines.append(f"[{stage}]")
        lines.extend(f"{key} = {toml_value(value)}" for key, value in table.items())
    return "\n".join(lines)


def toml_value(value: Any) -> str:
    """A TOML literal for a scalar or list (strings quoted as JSON strings, which TOML accepts)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)
