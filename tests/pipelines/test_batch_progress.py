"""The progress bar of a batch counts the tracks done of the total and the failures so far."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirloop.pipelines.batch import analyze_tracks
from tests.pipelines.audio_files import pulse_track, write
from tests.pipelines.toy_backends import TOY_CONFIG


@pytest.mark.usefixtures("toy_registry")
def test_the_bar_shows_done_of_total_and_how_many_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path / "good.wav", pulse_track(2.0), 22050)
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF not really")

    analyze_tracks([broken, good], tmp_path / "out", config=TOY_CONFIG, progress=True, figure=False)

    bar = capsys.readouterr().err.rsplit("\r", 1)[-1]
    assert "2/2" in bar and "1 failed, good.wav" in bar
