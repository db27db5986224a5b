"""Every limit is documented with its default, and the documentation names no other."""

from __future__ import annotations

import re
from pathlib import Path

from mirloop.limits import LIMITS

DOC = Path(__file__).parents[2] / "docs" / "analysis-outputs.md"


def test_every_limit_is_documented_with_its_default() -> None:
    text = DOC.read_text()
    for limit in LIMITS:
        row = re.search(rf"^\| `{limit.env}` \| (\d+)", text, re.MULTILINE)
        assert row is not None, f"{limit.env} is not in the limits table of {DOC.name}"
        assert float(row.group(1)) == limit.default


def test_the_documentation_names_only_existing_limits() -> None:
    # MIRLOOP_MAX_DAMAGE is the damaged-audio policy's own setting (a share and a length), documented
    # in its section; the limits table holds the size limits
    named = set(re.findall(r"MIRLOOP_MAX_[A-Z_]+", DOC.read_text())) - {"MIRLOOP_MAX_DAMAGE"}
    assert named == {limit.env for limit in LIMITS}
