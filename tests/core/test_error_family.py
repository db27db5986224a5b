"""Whatever mirloop raises on purpose is a MirloopError; where a ValueError was raised before, the
error is a ValueError too, so code that catches ValueError keeps working."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import mirloop
from mirloop.catalog import parse_rhythm
from mirloop.errors import DescriptorError, InvalidValueError, MirloopError, RhythmError, SpellingError
from mirloop.signal.harmony import chord_qualities
from mirloop.timeline.tonic import pitch_class as lilypond_pitch_class
from mirloop.types import Grid, Key

SOURCE = Path(mirloop.__file__).parent
#: The sources of the plugins shipped beside mirloop (each its own distribution).
PLUGIN_SOURCES = sorted(Path(__file__).resolve().parents[2].glob("plugins/*/src"))
#: Built-in exceptions mirloop's own code must not raise (a MirloopError subclass says more). A
#: ``TypeError`` stays allowed: ``json.dumps``' ``default`` hook must raise it.
PLAIN = {"ValueError", "RuntimeError", "Exception"}


def plain_raises(root: Path, *, only_mirloop_users: bool = False) -> list[str]:
    """``file:line raises Name`` for every plain built-in error raised under ``root``; with
    ``only_mirloop_users``, files that never import mirloop (code run in another environment,
    such as the spleeter plugin's worker) are left out."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if only_mirloop_users and not any(_imports_mirloop(node) for node in ast.walk(tree)):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                name = getattr(node.exc.func, "id", None)
                if name in PLAIN:
                    found.append(f"{path.relative_to(root)}:{node.lineno} raises {name}")
    return found


def _imports_mirloop(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "mirloop" for alias in node.names)
    return isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "mirloop"


def test_no_module_raises_a_plain_builtin_error() -> None:
    assert plain_raises(SOURCE) == []


@pytest.mark.parametrize("root", PLUGIN_SOURCES, ids=[p.parent.name for p in PLUGIN_SOURCES])
def test_no_shipped_plugin_raises_a_plain_builtin_error_where_mirloop_runs(root: Path) -> None:
    assert plain_raises(root, only_mirloop_users=True) == []


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: Key("H", "major"), SpellingError),
        (lambda: Key("C", "dorian"), InvalidValueError),
        (lambda: Grid(0.0), InvalidValueError),
        (lambda: lilypond_pitch_class("F#"), SpellingError),
        (lambda: parse_rhythm("kick:x..x snare:..x"), RhythmError),
        (lambda: chord_qualities(np.zeros((11, 4))), InvalidValueError),
    ],
    ids=["tonic", "mode", "grid", "lilypond", "rhythm", "chroma"],
)
def test_value_errors_are_mirloop_errors_and_still_value_errors(make: object, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        make()  # type: ignore[operator]
    assert isinstance(caught.value, MirloopError) and isinstance(caught.value, ValueError)


def test_a_bad_rhythm_is_a_descriptor_error() -> None:
    assert issubclass(RhythmError, DescriptorError)
