"""The plugin's small TOML data files, written by its commands: quoted strings, atomic writes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from mirloop.io.atomic import atomic_path


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_toml_lines(target: Path, lines: Sequence[str]) -> Path:
    """Write ``lines`` to ``target`` atomically (a temporary file beside it, then a rename)."""
    with atomic_path(target) as temporary:
        temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target
