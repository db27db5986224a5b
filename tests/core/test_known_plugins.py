"""``KNOWN_PLUGINS`` (the install hint for a backend that ships separately) names real plugins."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from mirloop.plugins import KNOWN_PLUGINS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("backend", "command"), sorted(KNOWN_PLUGINS.items()))
def test_each_install_hint_names_a_plugin_that_provides_the_backend(backend: str, command: str) -> None:
    match = re.match(r"pip install \./(plugins/[\w.-]+)", command)
    assert match, f"{backend}: {command!r} does not install a folder under plugins/"
    folder = ROOT / match.group(1)
    assert (folder / "pyproject.toml").is_file(), f"{backend}: {folder} is no plugin distribution"
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    entry_points = project["entry-points"]["mirloop"]
    assert backend in entry_points, f"{folder.name} declares mirloop entry points {sorted(entry_points)}"
    sources = "\n".join(path.read_text() for path in (folder / "src").rglob("*.py"))
    assert re.search(rf'name(: ClassVar\[str\])? = "{re.escape(backend)}"', sources), \
        f"no backend class in {folder.name} is named {backend!r}"


def test_every_plugin_folder_is_known() -> None:
    folders = {path.parent.name for path in (ROOT / "plugins").glob("*/pyproject.toml")}
    hinted = {command.split("./plugins/", 1)[1].split()[0] for command in KNOWN_PLUGINS.values()}
    assert hinted == folders
