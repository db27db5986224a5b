"""Each class name means one thing in mirloop: no two modules define a class of the same name."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import mirloop

SOURCE = Path(mirloop.__file__).parent


def test_no_two_modules_define_a_class_of_the_same_name() -> None:
    defined: dict[str, list[str]] = defaultdict(list)
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                defined[node.name].append(str(path.relative_to(SOURCE)))
    assert {name: where for name, where in defined.items() if len(where) > 1} == {}
