"""The web app's pages without a browser: what a visitor is told when something is wrong, and the
jobs the forms queue (run here in-process, as a worker runs them)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mirloop.serve import ServeSettings, create_app
from mirloop.serve.store import JobState
from mirloop.serve.worker import run_job

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def app(tmp_path: Path) -> Any:
    return create_app(ServeSettings(tmp_path / "data", workers=1))


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    # no `with`: the worker pool is not started; tests run the jobs they need in-process
    yield TestClient(app, follow_redirects=False)


def run_queued(app: Any) -> list[str]:
    """Run every queued job in this process, oldest first; their end states."""
    service = app.state.service
    states = []
    while (job := service.store.claim()) is not None:
        states.append(run_job(service.settings, job.id, job.run))
    return states


@pytest.fixture
def analysed(app: Any, client: TestClient, clip: Path) -> str:
    """The id of a finished track job of the test clip, uploaded through the home page's form."""
    answer = client.post("/tracks", files={"file": (clip.name, clip.read_bytes(), "audio/wav")})
    assert answer.status_code == 303
    assert run_queued(app) == ["done"]
    return answer.headers["location"].rsplit("/", 1)[1]


def segment_form(client: TestClient, track: str) -> dict[str, str]:
    """The analysis view's render form as the page fills it in."""
    view = client.get(f"/api/jobs/{track}/files/track.json").json()
    form = {"renders": "1", "seed": "0", "single-descriptor": ""}
    for index, segment in enumerate(view["segments"]):
        form |= {f"seg-{index}-descriptor": segment["descriptor"], f"seg-{index}-tempo": "120",
                 f"seg-{index}-key": segment["key"] or ""}
    return form


def test_an_upload_that_is_not_audio_is_refused_on_the_home_page(app: Any, client: TestClient) -> None:
    fake = b"RIFF not really a wave file" * 40
    answer = client.post("/tracks", files={"file": ("song.wav", fake, "audio/wav")})

    assert answer.status_code == 422
    assert "not audio mirloop can read" in answer.text and "<form" in answer.text
    assert app.state.service.store.jobs() == []


def test_an_upload_past_the_size_limit_is_refused_before_it_is_read(tmp_path: Path, clip: Path) -> None:
    small = create_app(ServeSettings(tmp_path / "small", workers=1, max_upload_mb=0.01))
    client = TestClient(small, follow_redirects=False)

    answer = client.post("/tracks", files={"file": (clip.name, clip.read_bytes(), "audio/wav")})

    assert answer.status_code == 413
    assert "larger than the limit of 0.01 MB" in answer.text and "<form" in answer.text
    assert small.state.service.store.jobs() == []


def test_a_form_with_neither_file_nor_example_asks_for_one(client: TestClient) -> None:
    answer = client.post("/tracks", data={"example": ""})

    assert answer.status_code == 422 and "choose an audio file to upload or a bundled example" in answer.text


def test_an_unknown_example_names_the_bundled_ones(client: TestClient) -> None:
    answer = client.post("/tracks", data={"example": "../../etc/passwd"})

    assert answer.status_code == 404
    assert "no bundled example" in answer.text and "noiz2sa__stg3.ogg" in answer.text


def test_a_bundled_example_is_analysed_like_an_upload(app: Any, client: TestClient) -> None:
    answer = client.post("/tracks", data={"example": "noiz2sa__stg3.ogg"})

    assert answer.status_code == 303
    (job,) = app.state.service.store.jobs()
    assert job.kind == "track" and job.params["name"] == "noiz2sa__stg3.ogg"
    page = client.get(answer.headers["location"])
    assert page.status_code == 200 and f'data-job="{job.id}"' in page.text  # the progress view


def test_the_analysis_view_shows_segments_windows_tempo_and_key(client: TestClient, analysed: str) -> None:
    view = client.get(f"/api/jobs/{analysed}/files/track.json").json()
    page = client.get(f"/tracks/{analysed}").text

    assert page.count('class="segment"') == len(view["segments"]) >= 1
    assert page.count('<span class="window') == len(view["windows"]) == 3
    assert f'<b class="key">{view["key"]}</b>' in page
    for window in view["windows"]:
        assert window["unsure"] == (window["descriptor"] is None or window["probability"] < 0.5)


def test_a_changed_descriptor_that_does_not_exist_is_explained(client: TestClient, analysed: str) -> None:
    form = segment_form(client, analysed) | {"seg-0-descriptor": "ambient_chill_dreamyy"}

    answer = client.post(f"/tracks/{analysed}/renders", data=form)

    assert answer.status_code == 422
    assert "segment 1: unknown descriptor" in answer.text and "ambient_chill_dreamy" in answer.text
    assert 'value="ambient_chill_dreamyy"' not in answer.text  # the select keeps catalog names only


def test_a_render_keeps_the_changes_and_lists_every_download(
    app: Any, client: TestClient, analysed: str
) -> None:
    changes = {"seg-0-descriptor": "ambient_chill_dreamy", "seg-0-key": "a minor"}
    form = segment_form(client, analysed) | changes
    answer = client.post(f"/tracks/{analysed}/renders", data=form)
    assert answer.status_code == 303
    assert run_queued(app) == ["done"]

    render = answer.headers["location"].rsplit("/", 1)[1]
    summary = client.get(f"/api/jobs/{render}/files/renders.json").json()
    (multi,) = summary["renders"]
    first = multi["regions"][0]
    assert first["descriptor"] == "ambient_chill_dreamy"
    assert first["key"] == "C major"  # A minor in the descriptor's major mode: its relative key
    assert 70 <= first["tempo"] <= 76  # 120 BPM fitted into the descriptor's range
    assert set(multi["files"]) >= {"wav", "flac", "midi", "jams", "timeline", "ogg", "waveform"}
    page = client.get(f"/renders/{render}").text
    for name in ("WAV", "FLAC", "MIDI", "timeline JSON", "JAMS"):
        assert f">{name}</a>" in page


def test_rendering_before_the_analysis_is_done_is_refused(app: Any, client: TestClient, clip: Path) -> None:
    answer = client.post("/tracks", files={"file": (clip.name, clip.read_bytes(), "audio/wav")})
    track = answer.headers["location"].rsplit("/", 1)[1]

    params = {"track": track, "segments": []}
    refused = client.post("/api/jobs", json={"kind": "track_render", "params": params})

    assert refused.status_code == 422
    assert "is queued; render it once its analysis is done" in refused.json()["errors"][0]["detail"]


def test_unknown_pages_and_files_answer_404(client: TestClient) -> None:
    assert client.get("/tracks/" + "0" * 32).status_code == 404
    assert client.get("/renders/not-a-job").status_code == 404
    assert client.get("/web/static/../routes.py").status_code == 404
    assert client.get("/web/static/app.js").headers["content-type"].startswith("text/javascript")


def test_an_audition_is_rendered_once_and_reused(app: Any, client: TestClient) -> None:
    first = client.post("/catalog/audition", data={"descriptor": "ambient_chill_dreamy"})
    again = client.post("/catalog/audition", data={"descriptor": "ambient_chill_dreamy"})
    unknown = client.post("/catalog/audition", data={"descriptor": "ambient_chill_dreamyy"})

    assert first.status_code == again.status_code == 202
    assert first.json()["job"] == again.json()["job"]
    assert unknown.status_code == 422 and "did you mean" in unknown.json()["errors"][0]["detail"]
    job = app.state.service.job(first.json()["job"])
    assert job.kind == "render" and job.state == JobState.QUEUED
    regions = job.params["timeline"]
    assert json.dumps(regions).count("ambient_chill_dreamy") == 1


def test_the_catalog_lists_a_genre(client: TestClient) -> None:
    page = client.get("/catalog", params={"genre": "jazz"}).text

    rows = page.count("<tr data-name=")
    assert rows > 0 and page.count('<tr data-name="jazz_') == rows
