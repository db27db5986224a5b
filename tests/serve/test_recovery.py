"""Recovery over loopback: a server killed with ``kill -9`` mid-job, and a worker killed mid-job;
every accepted job completes (or is marked failed), none is lost."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from mirloop.amper import AmperClient
from mirloop.serve.testing import ServerProcess
from tests.serve.conftest import short_timeline, start_server
from tests.serve.test_jobs_api import wait_job


@pytest.fixture(scope="module", name="server")
def slow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server whose renders spend a second in RUNNING_COMPOSE, so they can be caught mid-way."""
    process = start_server(
        tmp_path_factory.mktemp("slow") / "data", env={"MIRLOOP_SERVE_FAULTS": "render_delay=1.0"}
    )
    yield process
    process.close()


def test_a_server_killed_mid_job_finishes_every_accepted_render_after_restart(server: ServerProcess) -> None:
    client = AmperClient(server.url, retries=12, backoff=0.2, max_backoff=2.0, poll_interval=0.1)
    first = client.submit(short_timeline(seed=1))
    second = client.submit(short_timeline(seed=2))
    while client.status(first.id).status != "RUNNING_COMPOSE":
        time.sleep(0.05)
    server.kill()  # kill -9 while the first render runs and the second waits
    restart = threading.Timer(1.0, server.start)
    restart.start()
    outcomes = [client.wait(first.id), client.wait(second.id)]  # polls ride out the restart
    restart.join()
    assert [o.status for o in outcomes] == ["CREATED", "CREATED"]
    assert "1 queued again" in server.tail(200)


def worker_pids(server: ServerProcess) -> list[int]:
    """The server's worker processes (its children running the spawn entry point)."""
    assert server.process is not None
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == server.process.pid and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


def test_a_worker_killed_mid_job_is_replaced_and_its_job_runs_again(server: ServerProcess) -> None:
    body = {"kind": "render", "params": {"timeline": short_timeline(), "preset": "MASTER_WAV"}}
    job_id = requests.post(f"{server.url}/api/jobs", json=body, timeout=30).json()["id"]
    while requests.get(f"{server.url}/api/jobs/{job_id}", timeout=30).json()["stage"] != "compose":
        time.sleep(0.05)
    (worker,) = worker_pids(server)
    os.kill(worker, signal.SIGKILL)
    job = wait_job(server, job_id)
    assert job["state"] == "done"  # queued again after the lost run, and rendered by a new worker
    assert worker not in worker_pids(server)
    assert "lost" in server.tail(100)
    timeline = json.loads(
        requests.get(f"{server.url}/api/jobs/{job_id}/files/timeline.json", timeout=30).text
    )
    assert timeline["spans"][0]["actions"][0]["add_region"]["descriptor"] == "rock_indie_driving"
