"""The web app's job API over loopback: upload a track, analyse it, read its files; bad jobs are
refused when submitted."""

from __future__ import annotations

import io
import time
from typing import Any

import requests
import soundfile as sf

from mirloop.serve.testing import ServerProcess
from mirloop.testing.signals import spliced_sections
from tests.serve.test_store import wav_bytes


def wait_job(server: ServerProcess, job_id: str, *, timeout: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = requests.get(f"{server.url}/api/jobs/{job_id}", timeout=30).json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish\n{server.tail()}")


def test_an_uploaded_track_is_analysed_with_its_segments_and_windows(server: ServerProcess) -> None:
    track = spliced_sections("AB", section_seconds=8.0).audio
    buffer = io.BytesIO()
    sf.write(buffer, track.samples, track.sr, format="FLAC")
    upload = requests.post(
        f"{server.url}/api/uploads", files={"file": ("my song.flac", buffer.getvalue())}, timeout=30
    ).json()
    assert upload["content_type"] == "audio/flac" and abs(upload["info"]["duration"] - 16.0) < 0.01
    submitted = requests.post(
        f"{server.url}/api/jobs", json={"kind": "analysis", "params": {"file": upload["id"]}}, timeout=30
    )
    assert submitted.status_code == 202 and submitted.json()["state"] == "queued"
    job = wait_job(server, submitted.json()["id"])
    assert job["state"] == "done", job["error"]
    assert job["result"]["tempo"] > 0 and job["result"]["key"]
    urls = {f["name"]: f["url"] for f in job["files"]}
    assert {"analysis.json", "analysis/analysis.jams", "analysis/analysis.png"} <= set(urls)
    summary = requests.get(urls["analysis.json"], timeout=30).json()
    assert len(summary["segments"]) >= 2
    assert len(summary["grid"]) == 4  # 10-s windows with a 2-s hop over 16 s
    figure = requests.get(urls["analysis/analysis.png"], timeout=30)
    assert figure.headers["content-type"] == "image/png" and figure.content.startswith(b"\x89PNG")


def test_jobs_of_unknown_kinds_or_missing_uploads_are_refused(server: ServerProcess) -> None:
    unknown = requests.post(f"{server.url}/api/jobs", json={"kind": "mine", "params": {}}, timeout=30)
    assert unknown.status_code == 422 and "analysis, render" in unknown.json()["errors"][0]["detail"]
    missing = requests.post(
        f"{server.url}/api/jobs", json={"kind": "analysis", "params": {"file": "0" * 32}}, timeout=30
    )
    assert missing.status_code == 404
    upload = requests.post(
        f"{server.url}/api/uploads", files={"file": ("a.wav", wav_bytes())}, timeout=30
    ).json()
    for config, problem in (
        ({"classifier": {"model": "/etc"}}, "files are the server's to choose"),
        ({"tempo": {"max_bmp": 180}}, "max_bmp"),
    ):
        body = {"kind": "analysis", "params": {"file": upload["id"], "config": config}}
        refused = requests.post(f"{server.url}/api/jobs", json=body, timeout=30)
        assert refused.status_code == 422 and problem in refused.json()["errors"][0]["detail"]
