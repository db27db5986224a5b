"""``mirloop loop --list-renders`` (what ``make demo`` runs): the report, then one line per render."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mirloop.cli.main import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "audio"

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")


@pytest.mark.slow
def test_the_demo_ends_with_the_report_and_a_line_per_render(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    args = ["loop", str(EXAMPLE), "-o", str(out), "--list-renders", "--renders", "2", "--descriptors", "1"]
    result = CliRunner().invoke(cli, [*args, "--peer", "none", "--no-progress"], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("report: "))
    assert lines[at].startswith(f"report: {out}/report.html")
    assert lines[at + 1].startswith("renders (")
    listed = lines[at + 2 :]
    (track,) = json.loads((out / "report.json").read_text())["tracks"]
    assert [line.split()[0] for line in listed] == [str(out / r["audio"]) for r in track["renders"]]
    assert all(Path(line.split()[0]).is_file() for line in listed)

    single, *multi = listed
    rendered = track["renders"][0]
    assert "single-region" in single and rendered["descriptor"] in single
    assert single.endswith(f"→ heard as {rendered['predicted_descriptor']}")
    segments = (out / "noiz2sa__stg3" / "segments.csv").read_text().splitlines()[1:]
    for line in multi:
        regions, heard = line.split("  multi-region  ")[1].split(" → heard as ")
        assert len(regions.split(" | ")) == len(heard.split(" | ")) == len(segments)
        assert " BPM " in regions and regions.startswith("0.0–")
