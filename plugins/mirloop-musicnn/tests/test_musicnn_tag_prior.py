"""The tag prior: measured from the middle of recordings, from audio alone, written and read back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from mirloop_musicnn.cli import main
from mirloop_musicnn.tag_prior import load_tag_prior, measure_tag_prior, read_excerpt, track_tag_means
from mirloop_musicnn.tags import MODEL_TAGS
from mirloop_musicnn.weights import MODELS

HEADER = "track_id,path,coarse_label,group,source,kind,license,evidence\n"


def _tone(path: Path, seconds: float, sr: int = 44100, hz: float = 440.0, channels: int = 2) -> Path:
    t = np.arange(int(seconds * sr)) / sr
    wave = 0.3 * np.sin(2 * np.pi * hz * t)
    soundfile.write(path, np.stack([wave] * channels, axis=1), sr)
    return path


def test_only_the_middle_of_a_recording_is_read_mono_at_the_analysis_rate(tmp_path: Path) -> None:
    sr = 8000
    ramp = np.linspace(-1, 1, 10 * sr, endpoint=False)
    soundfile.write(tmp_path / "ramp.wav", np.stack([ramp, ramp], axis=1), sr, subtype="FLOAT")

    middle = read_excerpt(tmp_path / "ramp.wav", seconds=2.0)

    assert middle.ndim == 1 and middle.size == pytest.approx(2 * 22050, abs=2)
    assert middle[len(middle) // 2] == pytest.approx(0.0, abs=0.01)  # the ramp's middle is 0
    assert np.abs(middle[100:-100]).max() < 0.21  # 4 s to 6 s of a ramp from -1 to 1


@pytest.mark.usefixtures("synthetic_weights")
def test_each_readable_recording_counts_once_and_a_broken_one_is_reported(tmp_path: Path) -> None:
    files = [_tone(tmp_path / "a.wav", 4.0), _tone(tmp_path / "b.flac", 7.0, hz=220.0)]
    (tmp_path / "broken.ogg").write_bytes(b"OggS not really")
    seen: list[tuple[str, str | None]] = []

    prior = measure_tag_prior([*files, tmp_path / "broken.ogg"], source="test", models=MODELS,
                              progress=lambda i, n, path, error: seen.append((Path(path).name, error)))

    assert prior.tracks == 2
    assert [name for name, error in seen if error] == ["broken.ogg"]
    means = [track_tag_means(path, models=MODELS) for path in files]
    for model in MODELS:
        expected = (means[0][model] + means[1][model]) / 2
        np.testing.assert_allclose([prior.values[model][t] for t in MODEL_TAGS[model]], expected,
                                   rtol=1e-6, atol=1e-9)


@pytest.mark.usefixtures("synthetic_weights")
def test_the_command_reads_unlabelled_recordings_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _tone(tmp_path / "labelled.wav", 3.0)
    _tone(tmp_path / "free.wav", 3.0, hz=330.0)
    _tone(tmp_path / "render.wav", 3.0)
    (tmp_path / "manifest.csv").write_text(
        HEADER
        + "x__labelled,labelled.wav,rock,x,x 1,recording,GPL-2,named rock\n"
        + "x__free,free.wav,,x,x 1,recording,GPL-2,\n"
        + "x__render,render.wav,,x,x 1,module-render,GPL-2,\n"
    )

    assert main(["prior", str(tmp_path / "manifest.csv"), "-o", str(tmp_path / "prior.toml")]) == 0

    prior = load_tag_prior(tmp_path / "prior.toml")
    assert prior.tracks == 1 and "unlabelled rows of kind recording" in prior.source
    assert "tag prior of 1 recordings written" in capsys.readouterr().out


def test_the_command_refuses_a_manifest_without_such_rows(tmp_path: Path) -> None:
    (tmp_path / "manifest.csv").write_text(HEADER + "x__a,a.wav,rock,x,x 1,recording,GPL-2,named rock\n")

    assert main(["prior", str(tmp_path / "manifest.csv"), "-o", str(tmp_path / "p.toml")]) == 1
    assert not (tmp_path / "p.toml").exists()
