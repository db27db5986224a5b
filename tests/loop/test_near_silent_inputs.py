"""The loop on near-silence: a dither-only track is skipped as silent, a track with a long
near-silent middle is analysed and rendered with the stretch listed; neither is an error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mirloop.loop.run import run_loop
from mirloop.loop.settings import LoopSettings
from tests.loop.conftest import HALF

SETTINGS = LoopSettings(renders=1, descriptors=1, tempi=1, keys=1, seed=0)


def _dither(seconds: float, sr: int, *, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.integers(-1, 2, size=int(seconds * sr)) / 32768).astype(np.float32)


def test_near_silence_in_the_loop_is_flagged_never_an_error(
    tracks: dict[str, Path], tiny_model: Path, tmp_path: Path
) -> None:
    music, sr = sf.read(str(tracks["reference"]), dtype="float32")
    mono = music.mean(axis=1) if music.ndim == 2 else music
    quiet_middle = np.concatenate([mono[: int(HALF * sr)], _dither(12.0, sr), mono[int(HALF * sr) :]])
    sf.write(str(tmp_path / "quiet-middle.flac"), quiet_middle, sr, subtype="PCM_16")
    sf.write(str(tmp_path / "dither.flac"), _dither(10.0, sr, seed=1), sr, subtype="PCM_16")

    report = run_loop([tmp_path / "quiet-middle.flac", tmp_path / "dither.flac"], tmp_path / "out",
                      model=tiny_model, settings=SETTINGS)

    by_name = {track["name"]: track for track in report.tracks}
    dither = by_name["dither"]
    assert dither["ok"] and dither["flags"] == ["silent"] and "silent" in dither["skipped"]
    middle = by_name["quiet-middle"]
    assert middle["ok"] and middle["error"] is None and "near-silent" in middle["flags"]
    assert middle["near_silent"] == [pytest.approx([HALF, HALF + 12.0], abs=0.3)]
    assert middle["renders"] and all(render["ok"] for render in middle["renders"])
    assert report.n_failed == 0
