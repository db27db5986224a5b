"""How the result of a stage a plugin adds reaches mirloop's outputs.

The analysis keeps the result of every added stage in :attr:`mirloop.types.Analysis.extra`, by
stage name. To write it, mirloop asks the result for:

``to_json()`` (required, unless the result already is a JSON value: ``None``, ``bool``, ``int``,
``float``, ``str``, or lists and ``str``-keyed dicts of these)
    a JSON value: it goes into the run summary (``mirloop analyze --json`` and ``summary.json``,
    under each track's ``extra``), and into the JAMS file's ``sandbox.mirloop.extra`` unless the
    result offers ``to_jams()``.
``to_jams()`` (optional)
    one JAMS annotation as a plain dict, ``{"namespace": …, "observations": [{"time": …,
    "duration": …, "value": …, "confidence": …}, …]}`` with an optional ``"sandbox"`` dict; mirloop
    adds the annotation metadata (stage, backend, plugin) and validates it against the namespace.
``describe()`` (optional)
    a few words for the ``mirloop analyze`` summary table (e.g. ``"-14.2 dBFS"``).

The protocols below are what the conformance kit and the analysis check; a plugin needs no
import of them.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class JsonOutput(Protocol):
    """A stage result that gives its JSON value."""

    def to_json(self) -> Any: ...


@runtime_checkable
class JamsOutput(Protocol):
    """A stage result that gives one JAMS annotation as a dict (see the module docstring)."""

    def to_jams(self) -> dict[str, Any]: ...


#: The Python types that are JSON values as they are (the containers' items are checked when written).
JSON_TYPES: tuple[type, ...] = (type(None), bool, int, float, str, list, tuple, dict)


def output_problem(result: Any) -> str | None:
    """Why ``result`` cannot be written by mirloop (cheap: the type only); ``None`` if it can."""
    if isinstance(result, (JsonOutput, *JSON_TYPES)):
        return None
    return (f"returned {type(result).__name__}, which has no to_json() method and is not a JSON value; "
            "a result of an added stage gives mirloop its JSON value with to_json()")


def output_json(result: Any) -> Any:
    """The JSON value of an added stage's result (its ``to_json()``, or itself)."""
    return result.to_json() if isinstance(result, JsonOutput) else result


def output_text(result: Any) -> str:
    """A few words for a summary table: ``describe()``, else a number or string as is, else ``"✓"``."""
    describe = getattr(result, "describe", None)
    if callable(describe):
        return str(describe())
    value = output_json(result)
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (int, str)):
        return str(value)
    return "✓"
