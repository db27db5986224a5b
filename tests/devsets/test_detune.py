"""detune.py: a copy of an annotated folder played a few cents sharp, sidecars kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from devsets.annotated.detune import detune_folder, main


def dominant_hz(path: Path) -> float:
    samples, sr = sf.read(path, dtype="float64")
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * sr / len(samples))


def test_every_annotated_file_is_copied_sharp_with_its_sidecar(tmp_path: Path) -> None:
    source, target = tmp_path / "in", tmp_path / "out"
    source.mkdir()
    sr = 22050
    t = np.arange(4 * sr) / sr
    sf.write(source / "a.flac", 0.5 * np.sin(2 * np.pi * 440.0 * t), sr, subtype="PCM_16")
    (source / "a.jams").write_text("{}")
    sf.write(source / "unannotated.flac", np.zeros(sr), sr, subtype="PCM_16")

    assert detune_folder(source, target, 40.0) == 1
    assert sorted(p.name for p in target.iterdir()) == ["a.flac", "a.jams"]
    assert dominant_hz(target / "a.flac") == pytest.approx(440.0 * 2 ** (40 / 1200), abs=0.5)
    assert detune_folder(source, target, 40.0) == 0  # kept, not rewritten


def test_half_a_semitone_or_more_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        main([str(tmp_path), str(tmp_path / "out"), "--cents", "60"])
