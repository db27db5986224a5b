"""docs/architecture.md's "Words" says what every module named "model" is.

In prose "model" means a trained classifier; the value types (``mirloop.model``), the timeline
document (``mirloop.timeline.model``) and the rest that carry the word in their names are each
listed with what they are, so a reader meeting one knows which it is.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "mirloop"


def words_section() -> str:
    text = (ROOT / "docs" / "architecture.md").read_text()
    assert "\n## Words\n" in text, "docs/architecture.md has no 'Words' section"
    return text.split("\n## Words\n", 1)[1].split("\n## ", 1)[0]


def names_with_model() -> list[str]:
    """Every module, package and data folder under ``src/mirloop`` whose name says "model"."""
    found = []
    for path in sorted(PACKAGE.rglob("*model*")):
        if "__pycache__" in path.parts or not (path.is_dir() or path.suffix == ".py"):
            continue
        if path.parent.name == "models" and path.is_dir():  # a shipped model folder, under data/models
            continue
        dotted = path.relative_to(PACKAGE.parent).with_suffix("").as_posix().replace("/", ".")
        found.append(dotted)
    return found


def test_every_module_named_model_is_in_the_words_section() -> None:
    section = words_section()
    names = names_with_model()

    assert "mirloop.model" in names and "mirloop.timeline.model" in names  # the walk finds them
    missing = [name for name in names if f"`{name}`" not in section]
    assert not missing, f"docs/architecture.md, 'Words': say what {missing} are"


def test_the_words_section_says_what_model_means_in_prose() -> None:
    section = words_section()

    assert "**model** means one thing: a **trained classifier**" in section
    for documented in ("`--model`", "`MIRLOOP_MODEL`", "`mirloop.classify.HierarchicalModel`"):
        assert documented in section
