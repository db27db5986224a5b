"""Reading catalog files: TOML validated against ``catalog.schema.json``, merged into one source.

The built-in catalog is every ``*.toml`` under ``mirloop/data/catalog/`` (``instruments.toml``,
``moods.toml`` and one file per genre in ``genres/``). A plugin file uses the same format and may
add instruments, moods, genres, or subgenres to an existing genre; redefining an existing
instrument, mood or subgenre is an error.
"""

from __future__ import annotations

import json
import tomllib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
from attrs import define, field

from mirloop.errors import DescriptorError


@cache
def catalog_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one catalog file."""
    text = resources.files("mirloop").joinpath("data", "catalog", "catalog.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def builtin_files() -> list[Path]:
    """The catalog files shipped with mirloop, in load order (instruments, moods, genres)."""
    root = Path(str(resources.files("mirloop").joinpath("data", "catalog")))
    files = [root / "instruments.toml", root / "moods.toml"]
    return files + sorted((root / "genres").glob("*.toml"))


def read_file(path: str | Path) -> dict[str, Any]:
    """Parse and schema-check one catalog file; errors name the file and the offending key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise DescriptorError(f"catalog file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise DescriptorError(f"catalog file {path} is not valid TOML: {exc}") from None
    validator = jsonschema.Draft202012Validator(catalog_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        raise DescriptorError(f"catalog file {path}: {where}: {error.message}")
    return data


@define
class CatalogSource:
    """Instruments, moods and genres merged from catalog files, with where each came from."""

    instruments: dict[str, dict[str, Any]] = field(factory=dict)
    moods: dict[str, dict[str, Any]] = field(factory=dict)
    genres: dict[str, dict[str, Any]] = field(factory=dict)  # genre -> {"description", "subgenres"}
    origins: dict[str, str] = field(factory=dict)  # "mood:dark", "subgenre:rock_indie"... -> file

    def add(self, data: dict[str, Any], origin: str) -> None:
        """Merge one parsed file; redefinitions raise :class:`DescriptorError`."""
        for kind, table in (("instrument", data.get("instruments", {})), ("mood", data.get("moods", {}))):
            target = self.instruments if kind == "instrument" else self.moods
            for name, value in table.items():
                self._claim(f"{kind}:{name}", origin)
                target[name] = value
        for genre, body in data.get("genres", {}).items():
            entry = self.genres.setdefault(genre, {"description": "", "subgenres": {}})
            if body.get("description") and not entry["description"]:
                entry["description"] = body["description"]
            for subgenre, spec in body.get("subgenres", {}).items():
                self._claim(f"subgenre:{genre}_{subgenre}", origin)
                entry["subgenres"][subgenre] = spec

    def _claim(self, key: str, origin: str) -> None:
        if key in self.origins:
            kind, _, name = key.partition(":")
            raise DescriptorError(f"{kind} {name!r} in {origin} is already defined in {self.origins[key]}; "
                                  f"rename it")
        self.origins[key] = origin


def read_sources(paths: list[Path] | None = None) -> CatalogSource:
    """Read and merge catalog files (the built-in ones by default)."""
    source = CatalogSource()
    for path in paths if paths is not None else builtin_files():
        source.add(read_file(path), str(path))
    return source
