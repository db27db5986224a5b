"""docs/architecture.md's "Words" says what every module named "model" is.

In prose and in module names "model" means a trained classifier; the former names kept for old
imports (``mirloop.model``, ``mirloop.timeline.model``) and the rest that carry the word are each
listed with what they are, so a reader meeting one knows which it is.
"""

from __future__ import annotations

from pathlib import Path

import pytest

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

    assert "mirloop.model" in names and "mirloop.classify.model" in names  # the walk finds them
    missing = [name for name in names if f"`{name}`" not in section]
    assert not missing, f"docs/architecture.md, 'Words': say what {missing} are"


def test_the_words_section_says_what_model_means_in_prose() -> None:
    section = words_section()

    assert "**model** means one thing: a **trained classifier**" in section
    for documented in ("`--model`", "`MIRLOOP_MODEL`", "`mirloop.classify.HierarchicalModel`"):
        assert documented in section


def test_the_former_names_still_import_the_same_objects() -> None:
    import warnings

    import mirloop.timeline.document
    import mirloop.types
    import mirloop.types.estimates

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import mirloop.model.estimates
        from mirloop.model.spelling import pitch_class

        import mirloop.model
        import mirloop.timeline.model

    assert mirloop.model.Key is mirloop.types.Key
    assert mirloop.model.estimates is mirloop.types.estimates
    assert pitch_class("fis") == 6
    assert mirloop.timeline.model.Timeline is mirloop.timeline.document.Timeline


@pytest.mark.parametrize(
    ("former", "now"),
    [("mirloop.model", "mirloop.types"), ("mirloop.timeline.model", "mirloop.timeline.document")],
)
def test_importing_a_former_name_warns_and_names_the_new_one(former: str, now: str) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", f"import {former}"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode != 0 and "DeprecationWarning" in done.stderr and now in done.stderr
