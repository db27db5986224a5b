"""The dataset report draws the exploratory figures and links them from one HTML page."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirloop.cli.main import main
from mirloop.dataset.generate import GenerationReport
from mirloop.dataset.report import write_report
from mirloop.errors import DatasetError

# jams validates with a jsonschema API that now warns on every file it saves
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema.*")


def test_the_report_has_every_figure(tiny_dataset: tuple[Path, GenerationReport], tmp_path: Path) -> None:
    page = write_report(tiny_dataset[0], tmp_path / "report")
    html = page.read_text()
    for name in (
        "moods_per_subgenre",
        "balance",
        "relations",
        "tempo_style",
        "tempo_valence",
        "tempo_momentum",
        "induced_tempo_style",
    ):
        assert (tmp_path / "report" / f"{name}.png").stat().st_size > 1000
        assert f"{name}.png" in html


def test_the_report_command_and_an_unfinished_dataset(
    tiny_dataset: tuple[Path, GenerationReport], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dataset", "report", str(tiny_dataset[0]), "-o", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "index.html").is_file()
    with pytest.raises(DatasetError, match=r"manifest\.parquet is missing"):
        write_report(tmp_path)
