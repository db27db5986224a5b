"""devsets/annotated/tempo_levels.py: tempo priors and a learned level, scored across folders."""

from __future__ import annotations

from pathlib import Path

import pytest
import soundfile as sf
from devsets.annotated import tempo_levels

from mirloop.testing.signals import click_track, drum_pattern


def _folder(root: Path, make, tempi: tuple[float, ...]) -> Path:  # type: ignore[no-untyped-def]
    root.mkdir()
    for bpm in tempi:
        audio = make(bpm, 12.0)
        sf.write(root / f"t{bpm:g}.wav", audio.samples, audio.sr)
        (root / f"t{bpm:g}.csv").write_text(f"kind,start,end,value\ntempo,0,12,{bpm:g}\n", encoding="utf-8")
    sf.write(root / "unannotated.wav", make(100.0, 4.0).samples, 22050)
    return root


def test_every_level_has_every_feature() -> None:
    reading = tempo_levels.read_file_audio(drum_pattern(120.0, 12.0))
    assert len(tempo_levels.level_features(reading, 120.0)) == len(tempo_levels.FEATURES)
    assert tempo_levels.track_tempo(reading, 120.0, 1.5) == pytest.approx(120.0, rel=0.02)


def test_the_script_scores_priors_and_the_held_out_level_choice_per_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drums = _folder(tmp_path / "drums", drum_pattern, (96.0, 120.0, 150.0))
    clicks = _folder(tmp_path / "clicks", click_track, (84.0, 132.0))
    assert tempo_levels.main([f"drums={drums}", f"clicks={clicks}", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "| prior (centre, width) | drums (3) | clicks (2) |" in out
    assert "| 120 BPM, 1.5 oct | 1.000 / 1.000 | 1.000 / 1.000 |" in out  # the default reads them all
    assert len([line for line in out.splitlines() if "BPM," in line]) == len(tempo_levels.PRIORS)
    held_out = [line for line in out.splitlines() if line.startswith(("| drums | ", "| clicks | "))]
    assert len(held_out) == 2 and all(line.split(" | ")[1] == "1.000 / 1.000" for line in held_out)
    assert "coefficients on all folders: log2 level/120" in out


def test_a_folder_spec_without_a_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="NAME=FOLDER"):
        tempo_levels.main(["drums"])
