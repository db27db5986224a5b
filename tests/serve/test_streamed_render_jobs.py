"""Render jobs stream into their file as ``mirloop render`` does, so a long one holds no audio in memory.

With the built-in renderer and no domain randomisation, a job's ``master.wav`` (and its stems)
is written block by block by the same streamed renderer as ``mirloop render``: the same
timeline and seed give the same samples and MIDI, and its length is limited by the
streamed-render limit, not the in-memory one.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import requests
import soundfile as sf

from mirloop.serve.testing import ServerProcess

from .conftest import short_timeline, start_server
from .test_amper_api import follow, post_render


def _job_files(server: ServerProcess, render_id: str) -> dict[str, bytes]:
    body, _ = follow(server, render_id)
    attributes = body["data"]["attributes"]
    assert attributes["status"] == "CREATED", attributes
    return {
        f["name"]: requests.get(f["download_url"], timeout=30).content
        for f in attributes["files"]
        if f["name"] in ("master.wav", "master.mid")
    }


def test_a_master_wav_job_writes_what_mirloop_render_writes_for_the_same_timeline_and_seed(
    server: ServerProcess, tmp_path: Path
) -> None:
    timeline = short_timeline("ambient_chill_dreamy", 2.0, seed=5)
    job = _job_files(server, post_render(server, timeline, seed=17).json()["data"]["id"])

    (tmp_path / "timeline.json").write_text(json.dumps(timeline), "utf-8")
    subprocess.run(
        [sys.executable, "-m", "mirloop.cli.main", "render", str(tmp_path / "timeline.json"), "-o",
         str(tmp_path / "cli.wav"), "--seed", "17", "--midi"],
        check=True, capture_output=True,
    )
    served, _ = sf.read(io.BytesIO(job["master.wav"]), dtype="int32")
    rendered, _ = sf.read(tmp_path / "cli.wav", dtype="int32")
    np.testing.assert_array_equal(served, rendered)
    assert job["master.mid"] == (tmp_path / "cli.mid").read_bytes()


def test_streamed_jobs_with_or_without_stems_may_outlast_the_in_memory_render_limit(
    tmp_path: Path,
) -> None:
    server = start_server(tmp_path / "data", env={"MIRLOOP_MAX_RENDER_SECONDS": "1"})
    try:
        timeline = short_timeline("rock_indie_driving", 3.0, seed=2)
        streamed = post_render(server, timeline, seed=3)
        stems = post_render(server, timeline, "STEMS_WAV", seed=3)

        assert streamed.status_code == 202 and stems.status_code == 202
        wav = _job_files(server, streamed.json()["data"]["id"])["master.wav"]
        assert abs(sf.info(io.BytesIO(wav)).duration - 3.0) < 0.1
        body, _ = follow(server, stems.json()["data"]["id"])
        names = [f["name"] for f in body["data"]["attributes"]["files"]]
        assert body["data"]["attributes"]["status"] == "CREATED" and "master.wav" in names
        assert any("stems" in name for name in names), names
    finally:
        server.close()


def test_a_domain_randomised_job_keeps_the_in_memory_render_limit(tmp_path: Path) -> None:
    server = start_server(tmp_path / "data", env={"MIRLOOP_MAX_RENDER_SECONDS": "1",
                                                  "MIRLOOP_SET": "renderer.randomize=mix"})
    try:
        randomised = post_render(server, short_timeline("rock_indie_driving", 3.0, seed=2), seed=3)
        assert randomised.status_code == 422
        assert "MIRLOOP_MAX_RENDER_SECONDS" in randomised.json()["errors"][0]["detail"]
    finally:
        server.close()
