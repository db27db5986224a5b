"""A stage a plugin adds is served like the built-in ones.

``mirloop serve``'s analysis jobs return its result (``Analysis.extra``, as JSON) and write it into
``analysis.json``, a request may set its options, and the web app's analysis view lists it in its
progress and shows its result. The plugin is ``docs/examples/loudness_plugin.py``, installed as a
distribution with an entry point; the jobs run in this process, as a worker runs them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from mirloop.serve import ServeSettings, create_app
from tests.core.plugin_sources import InstallPlugin
from tests.web.test_pages import run_queued

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EXAMPLE = Path(__file__).parents[2] / "docs" / "examples" / "loudness_plugin.py"
SR = 22050
#: The RMS level of a sine whose peak is at -20 dBFS.
SINE_DBFS = -20.0 - 10 * np.log10(2)


@pytest.fixture
def app(install_plugin: InstallPlugin, tmp_path: Path) -> Any:
    install_plugin("loudness", EXAMPLE.read_text())
    return create_app(ServeSettings(tmp_path / "data", workers=1))


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    yield TestClient(app, follow_redirects=False)  # no worker pool: run_queued runs the jobs


@pytest.fixture
def tone_then_silence(tmp_path: Path) -> bytes:
    """10 s of a 440-Hz sine peaking at -20 dBFS, then 14 s of digital silence, as WAV."""
    t = np.arange(10 * SR) / SR
    samples = np.concatenate([0.1 * np.sin(2 * np.pi * 440 * t), np.zeros(14 * SR)]).astype(np.float32)
    path = tmp_path / "tone.wav"
    sf.write(path, samples, SR)
    return path.read_bytes()


def test_an_analysis_job_returns_the_added_stage_with_the_options_the_request_set(
    app: Any, client: TestClient, tone_then_silence: bytes
) -> None:
    upload = client.post("/api/uploads", files={"file": ("tone.wav", tone_then_silence, "audio/wav")}).json()
    params = {"file": upload["id"], "config": {"loudness": {"floor_db": -90}}}
    submitted = client.post("/api/jobs", json={"kind": "analysis", "params": params})
    assert submitted.status_code == 202, submitted.text

    assert run_queued(app) == ["done"]
    job = client.get(f"/api/jobs/{submitted.json()['id']}").json()
    loudness = job["result"]["extra"]["loudness"]
    assert loudness["unit"] == "dBFS"
    # the track is 10 s of sine in 24 s: its RMS is the sine's over 2.4 times the duration
    assert loudness["track"] == pytest.approx(SINE_DBFS - 10 * np.log10(2.4), abs=0.05)
    assert loudness["windows"][0] == pytest.approx(SINE_DBFS, abs=0.05)
    assert loudness["windows"][-1] == -90.0  # the silent windows read the floor the request set
    summary = client.get(next(f["url"] for f in job["files"] if f["name"] == "analysis.json")).json()
    assert summary["extra"] == job["result"]["extra"]


def test_a_request_may_not_set_a_stage_no_plugin_added(client: TestClient, tone_then_silence: bytes) -> None:
    upload = client.post("/api/uploads", files={"file": ("tone.wav", tone_then_silence, "audio/wav")}).json()
    params = {"file": upload["id"], "config": {"loudnes": {"floor_db": -90}}}

    refused = client.post("/api/jobs", json={"kind": "analysis", "params": params})

    assert refused.status_code == 422 and "loudness" in refused.text  # the stages it may set, named


def test_the_analysis_view_lists_the_added_stage_and_shows_its_result(
    app: Any, client: TestClient, tone_then_silence: bytes
) -> None:
    answer = client.post("/tracks", files={"file": ("tone.wav", tone_then_silence, "audio/wav")})
    track = answer.headers["location"].rsplit("/", 1)[1]
    progress = client.get(f"/tracks/{track}").text
    assert progress.index('data-stage="classifier"') < progress.index('data-stage="loudness"') < (
        progress.index('data-stage="reduce"'))

    assert run_queued(app) == ["done"]
    view = client.get(f"/api/jobs/{track}/files/track.json").json()
    page = client.get(f"/tracks/{track}").text
    assert view["extra_text"]["loudness"].endswith(" dBFS")
    assert view["extra"]["loudness"]["unit"] == "dBFS"
    assert '<dd data-extra="loudness">' + view["extra_text"]["loudness"] in page
    assert '"unit": "dBFS"' in page  # the JSON value, shown
