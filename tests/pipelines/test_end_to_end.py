"""The default backends end to end: real music in, every output file out."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import jams
import numpy as np
import pandas as pd
import pytest

from mirloop.config import DEFAULT_BACKENDS
from mirloop.pipelines.batch import analyze_tracks
from tests.pipelines.audio_files import pulse_track, write

ROOT = Path(__file__).resolve().parents[2]
REAL_DEV = ROOT.parent / "shared" / "data" / "real-dev"
EXAMPLE = ROOT / "examples" / "audio"

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")


@pytest.mark.slow
@pytest.mark.skipif(not REAL_DEV.is_dir(), reason="the real-dev clips live next to the repository")
def test_a_real_clip_through_the_default_backends(tmp_path: Path) -> None:
    clip = REAL_DEV / "titanion__ttn1.ogg"  # 45 s, mono, electronic

    (report,) = analyze_tracks([clip], tmp_path)

    assert report.ok, report.error
    assert report.duration == pytest.approx(45.0, abs=0.1)
    assert report.tempo_bpm is not None and 40 <= report.tempo_bpm <= 240
    assert report.key is not None and report.n_segments is not None and report.n_segments >= 1
    folder = tmp_path / "titanion__ttn1"
    jam = jams.load(str(folder / "titanion__ttn1.jams"))
    assert jam.validate()
    backends = {a.annotation_metadata.annotator["stage"]: a.annotation_metadata.annotator["name"]
                for a in jam.annotations}
    assert backends == {stage: DEFAULT_BACKENDS[stage] for stage in ("tempo", "key", "segmenter")}
    grid = pd.read_parquet(folder / "titanion__ttn1.grid.parquet")
    assert len(grid) == 18  # 10-s windows every 2 s over 45 s
    assert np.isfinite(grid.select_dtypes("number").to_numpy()).all()
    segments = pd.read_parquet(folder / "titanion__ttn1.segments.parquet")
    assert segments["start"].iloc[0] == 0.0 and segments["end"].iloc[-1] == pytest.approx(45.0, abs=0.1)
    assert np.allclose(segments["start"].iloc[1:].to_numpy(), segments["end"].iloc[:-1].to_numpy())
    assert (folder / "titanion__ttn1.png").stat().st_size > 10_000


@pytest.mark.slow
def test_analyze_on_the_bundled_example(tmp_path: Path) -> None:
    mirloop = Path(sys.executable).with_name("mirloop")
    completed = subprocess.run(
        [str(mirloop), "analyze", str(EXAMPLE), "--output", str(tmp_path), "--json"],
        capture_output=True, text=True, timeout=300, check=False,
    )

    assert completed.returncode == 0, completed.stderr
    (track,) = json.loads(completed.stdout)["tracks"]
    assert track["ok"] and Path(track["source"]).name == "noiz2sa__stg3.ogg"
    assert sorted(Path(p).name for p in track["outputs"].values()) == [
        "noiz2sa__stg3.grid.parquet", "noiz2sa__stg3.jams", "noiz2sa__stg3.png",
        "noiz2sa__stg3.segments.csv", "noiz2sa__stg3.segments.parquet",
    ]
    assert completed.stderr == ""  # no progress bar when stderr is not a terminal


def test_example_track_is_small() -> None:
    sizes = [p.stat().st_size for p in EXAMPLE.iterdir()]
    assert sum(sizes) < 1_000_000


@pytest.mark.parametrize(
    ("name", "seconds", "sr", "channels", "windows"),
    [
        ("half-second.wav", 0.5, 44100, 1, 1),
        ("five-seconds.flac", 5.0, 8000, 2, 1),
        ("surround.wav", 12.0, 96000, 6, 2),
        ("hi-res.flac", 11.0, 192000, 2, 1),
        ("lossy.ogg", 14.0, 44100, 2, 3),
    ],
)
def test_unusual_but_valid_files_give_a_full_analysis(
    tmp_path: Path, name: str, seconds: float, sr: int, channels: int, windows: int
) -> None:
    from mirloop.pipelines.analyze import ShortTrackWarning, analyze

    mono = pulse_track(seconds, sr)
    samples = mono if channels == 1 else np.stack([mono] * channels, axis=1)
    path = write(tmp_path / name, samples, sr)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        analysis = analyze(path)

    assert analysis.grid.n_windows == windows
    assert analysis.duration == pytest.approx(seconds, abs=0.05)
    assert analysis.features is not None and np.isfinite(analysis.features.values).all()
    assert analysis.tempo is not None and analysis.key is not None and analysis.segmentation is not None
    short = seconds < 10.0  # less than one analysis window: analysed, flagged and warned about
    assert analysis.flags == (("short",) if short else ())
    said = [str(w.message) for w in caught if w.category is ShortTrackWarning]
    expected = (
        f"{path}: the track lasts {analysis.duration:.2f} s, less than one 10-s analysis window; "
        "its tempo, key and labels rest on that little audio (the analysis is flagged 'short')"
    )
    assert said == ([expected] if short else [])


def test_silence_through_the_default_backends_is_flagged(tmp_path: Path) -> None:
    from mirloop.pipelines.analyze import SilentTrackWarning, analyze

    path = write(tmp_path / "silence.flac", np.zeros(12 * 44100, dtype=np.float32), 44100)

    with pytest.warns(SilentTrackWarning, match=str(path)):
        analysis = analyze(path)

    assert analysis.flags == ("silent",)
    assert analysis.tempo is not None and analysis.tempo.confidence == 0.0
    assert analysis.key is not None and analysis.key.confidence == 0.0
    assert analysis.features is not None and np.isfinite(analysis.features.values).all()
