"""The report's tempo table for module excerpts: errors by kind, scores split at 200 BPM."""

from __future__ import annotations

from pathlib import Path

import pytest
from devsets.annotated.report import main

HEADER = "stage,backend,file,reference,estimate,acc1,acc2,seconds,audio_seconds,error\n"


def test_module_excerpts_are_scored_below_and_above_200_bpm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "manifest.csv").write_text(
        "track_id,subset\nslow,modules\nfast,modules\nhalved,modules\n", encoding="utf-8"
    )
    csv = tmp_path / "tempo.csv"
    csv.write_text(
        HEADER
        + "tempo,librosa,slow.flac,125.0,125.1,1.0,1.0,1.0,30.0,\n"
        + "tempo,librosa,halved.flac,150.0,75.0,0.0,1.0,1.0,30.0,\n"
        + "tempo,librosa,fast.flac,300.0,100.0,0.0,1.0,1.0,30.0,\n",
        encoding="utf-8",
    )

    assert main([str(tmp_path), str(csv)]) == 0

    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("| `librosa`"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1:4] == ["3", "0.333", "1.000"]
    assert cells[4:9] == ["0", "1", "0", "1", "0"]  # ×2, ×½, ×3, ×⅓, other
    assert cells[9:11] == ["0.500 / 1.000 (2)", "0.000 / 1.000 (1)"]
