"""``mirloop plugins``: every installed backend by stage, and the plugins that failed to load."""

from __future__ import annotations

from typing import Any

import click

from mirloop.cli.common import echo_json, json_option


@click.command()
@json_option
@click.option("-v", "--verbose", is_flag=True,
              help="Show the module of each backend and the traceback of each failed plugin.")
def plugins(as_json: bool, verbose: bool) -> None:
    """List the backends of every stage: plugin, distribution, version, aliases and options."""
    from mirloop.plugins import registry

    report = plugin_report(registry())
    if as_json:
        echo_json(report)
        return
    click.echo(format_plugin_report(report, verbose=verbose))


def plugin_report(reg: Any) -> dict[str, Any]:
    """The registry as plain data: ``{"stages": {stage: [backend…]}, "plugins", "failures", "clashes"}``."""
    stages: dict[str, list[dict[str, Any]]] = {}
    for stage, table in reg.backends.items():
        unique = {id(info): info for info in table.values()}.values()
        stages[stage] = [
            {
                "name": info.name,
                "aliases": list(info.aliases),
                "plugin": info.plugin,
                "distribution": info.dist,
                "version": info.version,
                "module": info.module,
                "summary": getattr(info.cls, "summary", ""),
                "options": {key: _plain(value) for key, value in info.option_table.items()},
            }
            for info in sorted(unique, key=lambda info: info.name)
        ]
    return {
        "stages": stages,
        "plugins": dict(reg.plugins),
        "failures": [
            {"plugin": f.plugin, "distribution": f.dist, "error": f.error, "details": f.details}
            for f in reg.failures
        ],
        "clashes": [
            {
                "stage": clash.stage,
                "name": clash.name,
                "plugins": list(clash.plugins),
                "claims": [
                    {"plugin": info.plugin, "distribution": info.dist, "version": info.version,
                     "module": info.module}
                    for info in clash.claims
                ],
            }
            for clash in reg.clashes
        ],
    }


def format_plugin_report(report: dict[str, Any], *, verbose: bool = False) -> str:
    lines: list[str] = []
    for stage, backends in report["stages"].items():
        lines.append(f"{stage}:")
        if not backends:
            lines.append("  (none installed)")
        for backend in backends:
            aliases = f" (aliases: {', '.join(backend['aliases'])})" if backend["aliases"] else ""
            origin = f"plugin {backend['plugin']}, {backend['distribution']} {backend['version']}".rstrip()
            lines.append(f"  {backend['name']}{aliases} — {origin}")
            if verbose:
                lines.append(f"      module: {backend['module']}")
            if backend["summary"]:
                lines.append(f"      {backend['summary']}")
            if backend["options"]:
                options = ", ".join(f"{key}={value!r}" for key, value in backend["options"].items())
                lines.append(f"      options: {options}")
    if report["clashes"]:
        lines.append("")
        lines.append("backend names refused (registered by more than one plugin; uninstall all but one):")
        for clash in report["clashes"]:
            claims = ", ".join(f"plugin {claim['plugin']} ({claim['distribution']} {claim['version']})"
                               for claim in clash["claims"])
            lines.append(f"  {clash['stage']} {clash['name']!r}: {claims}")
            if verbose:
                lines.extend(f"      {claim['plugin']}: {claim['module']}" for claim in clash["claims"])
    if report["failures"]:
        lines.append("")
        lines.append("plugins that failed to load:")
        for failure in report["failures"]:
            lines.append(f"  {failure['plugin']} ({failure['distribution']}): {failure['error']}")
            if verbose and failure["details"]:
                lines.extend(f"      {line}" for line in failure["details"].rstrip().splitlines())
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    """Option defaults as JSON-friendly values."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value)
