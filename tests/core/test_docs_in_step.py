"""docs/hooks.md documents every hook and every stage, and nothing that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

from mirloop import hookspecs
from mirloop.stages import STAGES

HOOKS_DOC = Path(__file__).resolve().parents[2] / "docs" / "hooks.md"


def specified_hooks() -> set[str]:
    return {name for name, value in vars(hookspecs).items() if hasattr(value, "mirloop_spec")}


def documented_hooks() -> set[str]:
    """Hooks documented with their own heading: ``## `register_x(register)` ``."""
    return set(re.findall(r"^#+ `(\w+)\(", HOOKS_DOC.read_text(), flags=re.MULTILINE))


def test_every_hook_spec_is_documented() -> None:
    missing = specified_hooks() - documented_hooks()
    assert not missing, f"docs/hooks.md lacks a section for {sorted(missing)}"


def test_every_documented_hook_exists() -> None:
    unknown = documented_hooks() - specified_hooks()
    assert not unknown, f"docs/hooks.md documents hooks that mirloop.hookspecs lacks: {sorted(unknown)}"


def test_every_backend_hook_lists_the_stages_it_registers() -> None:
    text = HOOKS_DOC.read_text()
    for hook, stages in hookspecs.BACKEND_HOOKS.items():
        section = text.split(f"`{hook}(", 1)[1].split("\n#", 1)[0]
        for stage in stages:
            assert f"`{stage}`" in section, f"docs/hooks.md: the {hook} section does not name {stage!r}"


def test_every_stage_is_documented() -> None:
    stages_section = HOOKS_DOC.read_text().split("\n## Stages\n", 1)[1].split("\n## ", 1)[0]
    table_rows = re.findall(r"^\| `(\w+)` \|", stages_section, flags=re.MULTILINE)
    assert sorted(table_rows) == sorted(STAGES)


def test_the_result_type_reference_is_generated_from_the_code() -> None:
    from mirloop.hookdocs import generated_part, render_reference

    documented = generated_part(HOOKS_DOC.read_text())
    assert documented, "docs/hooks.md lacks the generated reference of result types"
    assert documented == render_reference(), (
        "docs/hooks.md is out of step with the result types; run `python -m mirloop.hookdocs docs/hooks.md`"
    )


def test_the_reference_covers_every_result_type_and_context_representation() -> None:
    from mirloop.hookdocs import render_reference

    text = render_reference()
    types = ("TempoEstimate", "KeyEstimate", "Key", "Segmentation", "Segment", "Features", "TrackContext")
    for name in types:
        assert f"### `{name}`" in text
    for representation in ("log_mel", "mfcc", "onset_envelope", "chroma", "tempo", "beats", "beat_units"):
        assert f"| `{representation}` |" in text
    assert "…" not in text, "the reference lists everything; nothing is left to an ellipsis"


def test_the_reference_says_where_every_built_in_backend_lives_and_which_tests_cover_it() -> None:
    from mirloop.hookdocs import render_reference
    from mirloop.plugins import registry

    text = render_reference()
    built_in = [info for stage in registry().backends.values() for key, info in stage.items()
                if info.dist == "mirloop" and key == info.name]

    assert len(built_in) >= 10
    for info in built_in:
        (row,) = [line for line in text.splitlines() if f"| `{info.name}` | `{info.module}` |" in line]
        assert row.startswith(f"| {info.stage} |") and "`tests/" in row, row
