"""Near-silence anywhere in a track is flagged, never an error.

Dither-level noise (±1 step of a 16-bit file, about -92 dBFS) is what a "silent" export holds.
A track that is only that is flagged ``silent`` and has one segment; a long stretch of it
inside music is listed (``Analysis.near_silent``, the JAMS sandbox, the run's summary) and the
track flagged ``near-silent``; the default backends (Laplacian segmenter included) run on both.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from mirloop.cli.main import cli
from mirloop.signal.quiet import near_silent_spans
from mirloop.testing.signals import drum_pattern

SR = 22050
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")


def _dither(seconds: float, *, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.integers(-1, 2, size=int(seconds * SR)) / 32768).astype(np.float32)


def _music(seconds: float) -> np.ndarray:
    audio = drum_pattern(100, seconds, seed=1)
    samples = audio.samples if audio.samples.ndim == 1 else audio.samples.mean(axis=0)
    assert audio.sr == SR
    return np.asarray(samples, dtype=np.float32)


def _flac(path: Path, samples: np.ndarray) -> Path:
    sf.write(str(path), samples, SR, subtype="PCM_16")
    return path


@pytest.fixture(scope="module")
def tracks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("near-silence")
    _flac(folder / "quiet-middle.flac", np.concatenate([_music(15.0), _dither(20.0), _music(15.0)]))
    _flac(folder / "dither.flac", _dither(10.0, seed=1))
    return folder


def test_near_silent_stretches_are_found_where_they_are() -> None:
    y = np.concatenate([_music(15.0), _dither(20.0), _music(15.0), _dither(3.0), _music(5.0), _dither(8.0)])

    spans = near_silent_spans(y, SR)

    # The 20-s middle and the 8-s end; the 3-s gap is shorter than the 5 s listed.
    assert len(spans) == 2
    assert spans[0] == pytest.approx((15.0, 35.0), abs=0.3)
    assert spans[1] == pytest.approx((58.0, 66.0), abs=0.3)
    assert near_silent_spans(_music(15.0), SR) == ()


def test_a_dc_offset_held_is_silence_and_does_not_hide_music_on_top_of_it() -> None:
    from mirloop.pipelines.analyze import _input_flags
    from mirloop.types import Audio

    offset = np.float32(0.25)  # a quarter of full scale, in a 16-bit file far above the -80 dBFS floor
    y = np.concatenate([_music(15.0), offset + _dither(20.0), _music(15.0) + offset])

    (span,) = near_silent_spans(y, SR)
    assert span == pytest.approx((15.0, 35.0), abs=0.3)
    assert _input_flags(Audio(offset + _dither(12.0), SR)) == ("silent",)
    assert _input_flags(Audio(np.full(12 * SR, -0.5, dtype=np.float32), SR)) == ("silent",)
    assert _input_flags(Audio(_music(12.0) + offset, SR)) == ()


@pytest.fixture(scope="module")
def analysed(tracks: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("near-silence-out")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        result = CliRunner().invoke(cli, ["analyze", str(tracks), "-o", str(out), "--no-figure", "-q"],
                                    catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def _summary(out: Path) -> dict[str, dict[str, Any]]:
    tracks = json.loads((out / "summary.json").read_text())["tracks"]
    return {Path(track["source"]).stem: track for track in tracks}


def test_a_dither_only_track_is_flagged_silent_with_one_segment(analysed: Path) -> None:
    summary = _summary(analysed)

    dither = summary["dither"]
    assert dither["ok"] and dither["flags"] == ["silent"] and dither["n_segments"] == 1


def test_a_near_silent_middle_is_listed_in_the_summary_and_the_jams_sandbox(analysed: Path) -> None:
    summary = _summary(analysed)
    jams = json.loads((analysed / "quiet-middle" / "quiet-middle.jams").read_text())

    track = summary["quiet-middle"]
    assert track["ok"] and "near-silent" in track["flags"] and track["n_segments"] >= 1
    assert len(track["near_silent"]) == 1 and track["near_silent"][0] == pytest.approx([15.0, 35.0], abs=0.3)
    assert jams["sandbox"]["mirloop"]["near_silent"] == track["near_silent"]
    assert "near-silent" in jams["sandbox"]["mirloop"]["flags"]
