"""Track renders with the built-in renderer stream: every file of a render is written as the
renderer makes its blocks, with the samples of the in-memory render, so a render's length is
bounded by the streamed-render limit, not the in-memory one."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from mirloop.dataset.render_job import stored_analysis_audio
from mirloop.loop.renders import plan_multi, run_render
from mirloop.renderer.backend import MirloopRenderer, streamed_options
from mirloop.serve import ServeSettings, create_app
from mirloop.serve.web.render_job import write_files
from mirloop.serve.web.streamed_files import stream_files

from .test_pages import run_queued, segment_form

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _multi_job() -> Any:
    import pandas as pd

    segments = pd.DataFrame(
        {
            "start": [0.0, 3.0],
            "end": [3.0, 6.0],
            "label": ["A", "B"],
            "segment": [0, 1],
            "descriptor": ["rock_indie_driving", "ambient_chill_dreamy"],
            "tempo_bpm": [120.0, 72.0],
            "key": ["E minor", "C major"],
        }
    )
    (job,) = plan_multi("track", segments, renders=1, seed=4)
    return job


def _zipped(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def test_a_streamed_renders_files_hold_the_samples_of_the_in_memory_render(tmp_path: Path) -> None:
    renderer = MirloopRenderer(stems=True, sr=22050)
    options = streamed_options(renderer)
    assert options is not None
    job = _multi_job()

    streamed = stream_files(job, options, tmp_path / "streamed")
    outcome = run_render(job, renderer)
    files = write_files(outcome, job, tmp_path / "whole")

    assert streamed.ok and streamed.files == files
    assert streamed.signal is not None
    np.testing.assert_array_equal(streamed.signal.samples, stored_analysis_audio(outcome.audio).samples)
    name = job.name
    one, other = tmp_path / "streamed", tmp_path / "whole"
    for audio in ("wav", "flac", "ogg", *files["stem_files"]):
        path = files.get(audio, audio)
        np.testing.assert_array_equal(sf.read(one / path)[0], sf.read(other / path)[0], err_msg=path)
    for exact in ("midi", "timeline", "waveform"):
        assert (one / files[exact]).read_bytes() == (other / files[exact]).read_bytes(), exact
    assert json.loads((one / files["jams"]).read_text()) == json.loads((other / files["jams"]).read_text())
    zipped = [_zipped(folder / files["stems"]) for folder in (one, other)]
    assert zipped[0] == zipped[1] and len(zipped[1]) > 1
    assert sorted(p.name for p in (one / name).iterdir()) == sorted(p.name for p in (other / name).iterdir())


def test_a_failing_render_leaves_no_file_and_becomes_its_error(tmp_path: Path) -> None:
    options = streamed_options(MirloopRenderer(stems=True, sr=22050, soundfont=str(tmp_path / "missing.sf2")))
    assert options is not None

    made = stream_files(_multi_job(), options, tmp_path)

    assert not made.ok and made.error and "missing.sf2" in made.error
    assert list(tmp_path.iterdir()) == []


def test_a_track_render_outlasts_the_in_memory_render_limit(
    tmp_path: Path, clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(ServeSettings(tmp_path / "data", workers=1))
    client = TestClient(app, follow_redirects=False)
    answer = client.post("/tracks", files={"file": (clip.name, clip.read_bytes(), "audio/wav")})
    assert run_queued(app) == ["done"]
    track = answer.headers["location"].rsplit("/", 1)[1]
    monkeypatch.setenv("MIRLOOP_MAX_RENDER_SECONDS", "2")  # the clip lasts 14 s

    answer = client.post(f"/tracks/{track}/renders", data=segment_form(client, track))
    assert run_queued(app) == ["done"]

    render = answer.headers["location"].rsplit("/", 1)[1]
    (multi,) = client.get(f"/api/jobs/{render}/files/renders.json").json()["renders"]
    assert multi["ok"], multi["error"]
    wav = client.get(f"/api/jobs/{render}/files/{multi['files']['wav']}")
    assert wav.status_code == 200
    assert len(multi["files"]["stem_files"]) > 1
