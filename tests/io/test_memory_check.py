"""The memory check that benchmarks run on a 60-minute file works (here on a short one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirloop.io.memory_check import measure_load_memory, write_long_wav


def test_reports_peak_memory_of_a_load(tmp_path: Path) -> None:
    path = write_long_wav(tmp_path / "long.wav", minutes=0.25, sr=44100, channels=2)

    result = measure_load_memory(path)

    assert result.duration_s == pytest.approx(15.0, abs=1e-3)
    assert result.output_mib == pytest.approx(15 * 22050 * 4 / 2**20, rel=1e-3)
    assert result.baseline_rss_mib > 0 and result.peak_rss_mib >= result.baseline_rss_mib
