"""The import graph of ``src/mirloop`` has no circles, but for a known list that may only shrink.

The graph is read from the source (``ast``): every ``import`` of a ``mirloop`` module, at the
top of a module or inside a function (an import moved into a function still ties the two
modules together), but not under ``if TYPE_CHECKING:`` (annotations only, never run). Circles
are found twice: between modules, and between the first-level parts of the package
(``mirloop.timeline``, ``mirloop.pipelines``, ``mirloop.plugins``…), where a layer must import
only downward. The root ``mirloop/__init__.py`` is the public facade and is left out.

The layer table of ``docs/architecture.md`` is checked against the same graph: every part of
the package is in one row, and imports only from its own row or the rows above it.

Circles still to break would be listed below with the reason they are still there (none is
today). A test fails when a new circle appears, and also when a listed one is gone, so the list
only shrinks.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
ARCHITECTURE = SRC.parent / "docs" / "architecture.md"
ROOT = "mirloop"

#: Module circles still to break (each a set of modules that reach each other); none left.
KNOWN_MODULE_CYCLES: set[frozenset[str]] = set()

#: Circles between first-level parts of the package (layers that import upward); none left.
KNOWN_PACKAGE_CYCLES: set[frozenset[str]] = set()


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__.py``)."""
    found = {}
    for path in (SRC / ROOT).rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST, package: str) -> Iterator[str]:
    """Dotted names imported anywhere in ``tree`` outside ``if TYPE_CHECKING:`` blocks."""
    skipped = {id(n) for node in ast.walk(tree) if isinstance(node, ast.stmt) and _is_type_checking(node)
               for n in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


@functools.cache
def import_graph() -> dict[str, frozenset[str]]:
    """Module -> the package modules it imports."""
    found = modules()

    def owner(name: str) -> str | None:
        while name and name not in found:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, frozenset[str]] = {}
    for name, path in found.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = {owner(imported) for imported in _imports(ast.parse(path.read_text()), package)
                   if imported == ROOT or imported.startswith(f"{ROOT}.")}
        graph[name] = frozenset(t for t in targets if t is not None and t not in (name, ROOT))
    graph.pop(ROOT, None)
    return graph


def package_graph(graph: dict[str, frozenset[str]]) -> dict[str, set[str]]:
    """The graph between first-level parts: ``mirloop.timeline.document`` counts as ``mirloop.timeline``."""
    folded: dict[str, set[str]] = {}
    for source, targets in graph.items():
        folded.setdefault(part(source), set()).update(part(t) for t in targets if part(t) != part(source))
    return folded


def part(name: str) -> str:
    """The first-level part a module belongs to: ``mirloop.timeline.document`` -> ``mirloop.timeline``."""
    return ".".join(name.split(".")[:2])


def documented_layers(text: str) -> list[set[str]]:
    """The parts named in the ``where`` column of each row of the layer table, top row first."""
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|") for line in section.splitlines() if line.startswith("| ")]
    return [set(re.findall(r"`(mirloop\.\w+)`", cells[2])) for cells in rows[1:]]  # rows[0]: the header


def cycles(graph: Mapping[str, Collection[str]]) -> set[frozenset[str]]:
    """The strongly connected components with more than one node (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[frozenset[str]] = set()
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.add(frozenset(component))
    return found


def describe(found: set[frozenset[str]]) -> str:
    return "; ".join(" <-> ".join(sorted(cycle)) for cycle in sorted(found, key=sorted))


def test_the_walker_finds_a_circle_and_ignores_type_checking_imports() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == {frozenset({"a", "b", "c"})}
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import mirloop.x\n"
                     "def f():\n    from mirloop import y\n")
    assert set(_imports(tree, "mirloop")) == {"typing", "typing.TYPE_CHECKING", "mirloop", "mirloop.y"}


def test_the_graph_sees_imports_inside_functions() -> None:
    graph = import_graph()
    assert "mirloop.timeline" in graph["mirloop.testing.conformance"], "imported inside _test_timeline()"


@pytest.mark.parametrize(
    ("level", "known"),
    [("module", KNOWN_MODULE_CYCLES), ("package", KNOWN_PACKAGE_CYCLES)],
)
def test_no_import_circles_but_the_known_ones(level: str, known: set[frozenset[str]]) -> None:
    graph = import_graph()
    found = cycles(graph if level == "module" else package_graph(graph))

    new = found - known
    assert not new, f"new {level} import circle(s): {describe(new)}; make the lower one not import the upper"
    gone = known - found
    assert not gone, f"{level} circle(s) {describe(gone)} are gone: drop from KNOWN_{level.upper()}_CYCLES"


def test_the_timeline_modules_import_downward() -> None:
    graph = import_graph()
    timeline = {name: {t for t in targets if t.startswith("mirloop.timeline.")}
                for name, targets in graph.items() if name.startswith("mirloop.timeline.")}

    assert not cycles(timeline)
    for lower in ("mirloop.timeline.parts", "mirloop.timeline.codec", "mirloop.timeline.validate",
                  "mirloop.timeline.resolve"):
        assert "mirloop.timeline.document" not in timeline[lower], f"{lower} imports the Timeline module"


def test_the_layer_walker_reads_rows_top_down_and_only_the_where_column() -> None:
    text = "## Layers\n\n| layer | where | what |\n|---|---|---|\n| low | `mirloop.a`, `mirloop.b` | " \
           "not `mirloop.c` |\n| high | `mirloop.c` | |\n\n## Next\n| x | `mirloop.d` | |\n"
    assert documented_layers(text) == [{"mirloop.a", "mirloop.b"}, {"mirloop.c"}]


def test_docs_architecture_draws_the_layers_as_they_import() -> None:
    graph = package_graph(import_graph())
    layers = documented_layers(ARCHITECTURE.read_text())
    row = {name: index for index, names in enumerate(layers) for name in names}

    twice = sorted(name for name in row if sum(name in names for names in layers) > 1)
    assert not twice, f"docs/architecture.md puts {twice} in more than one layer"
    missing = sorted(set(graph) - set(row))
    assert not missing, f"docs/architecture.md's layer table lacks {missing}; add each to its row"
    gone = sorted(set(row) - set(graph))
    assert not gone, f"docs/architecture.md's layer table names {gone}, which src/mirloop does not have"
    upward = sorted(f"{source} imports {target}" for source, targets in graph.items() for target in targets
                    if row[target] > row[source])
    assert not upward, f"imports that point up the layer table of docs/architecture.md: {'; '.join(upward)}"
