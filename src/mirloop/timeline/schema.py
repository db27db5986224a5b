"""The published JSON Schema of timelines, and schema errors as :class:`TimelineError`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from mirloop.errors import TimelineError

ROOT = "timeline"


@cache
def timeline_schema() -> dict[str, Any]:
    """``mirloop/data/timeline.schema.json`` (JSON Schema draft 2020-12)."""
    text = resources.files("mirloop").joinpath("data", "timeline.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def json_path(parts: Iterable[str | int]) -> str:
    """``["spans", 2, "time"]`` -> ``"timeline.spans[2].time"``."""
    out = ROOT
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _message(error: jsonschema.ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    custom = schema.get("errorMessage")
    value = error.instance
    if error.validator in ("minimum", "exclusiveMinimum") and error.validator_value == 0:
        return f"{value!r} is negative; {custom or 'it must be ≥ 0'}"
    if error.validator == "enum":
        allowed = ", ".join(repr(v) for v in list(error.validator_value))  # type: ignore[arg-type]
        return f"{value!r} is not one of {allowed}"
    if custom and error.validator in ("pattern", "not", "maximum", "minimum", "exclusiveMinimum", "maxItems"):
        return f"{value!r} is invalid: {custom}" if error.validator != "not" else custom
    return error.message


def check_schema(document: Any) -> None:
    """Validate a timeline document (wrapped or bare); raise ``TimelineError`` at the first problem."""
    validator = jsonschema.Draft202012Validator(timeline_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))
    if error is None:
        return
    parts = list(error.absolute_path)
    if isinstance(document, dict) and "timeline" in document and parts[:1] == ["timeline"]:
        parts = parts[1:]
    raise TimelineError(f"{json_path(parts)}: {_message(error)}")
