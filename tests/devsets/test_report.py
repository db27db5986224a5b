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


def test_boundaries_are_scored_against_each_files_own_sidecar_and_one_section_answers_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from devsets.annotated.annotation import annotation_bytes

    (tmp_path / "forms").mkdir()
    sections = [(0.0, 20.0, "A"), (20.0, 40.0, "B"), (40.0, 60.0, "A")]
    for stem in ("tune_1", "tune_2"):
        (tmp_path / "forms" / f"{stem}.jams").write_bytes(
            annotation_bytes(title=stem, duration=60.0, segments=sections)
        )
    (tmp_path / "manifest.csv").write_text(
        "track_id,subset,annotation\ntune_1,forms,forms/tune_1.jams\ntune_2,forms,forms/tune_2.jams\n",
        encoding="utf-8",
    )
    csv = tmp_path / "segmenter.csv"
    csv.write_text(
        "stage,backend,file,reference,estimate,f_0.5s,f_3s,seconds,audio_seconds,error\n"
        "segmenter,laplacian,tune_1.flac,20.0 40.0,20.2 45.0,0.5,0.5,1.0,60.0,\n"
        "segmenter,laplacian,tune_2.flac,20.0 40.0,,0.0,0.0,1.0,60.0,\n",
        encoding="utf-8",
    )

    assert main([str(tmp_path), str(csv)]) == 0

    out = capsys.readouterr().out
    assert "same source" not in out  # the source breakdown is the spliced files'
    row = next(line for line in out.splitlines() if line.startswith("| `laplacian`"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    # tune_1: 20.2 hits at 0.5 s, 45.0 misses at 3 s (P = R = F = 0.5); tune_2: nothing found
    assert cells[1:8] == ["2", "0.250", "0.250", "0.250", "0.250", "0.250", "0.250"]
    assert cells[8:10] == ["2 / 4", "1"]
