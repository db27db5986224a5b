"""A real ``mirloop serve`` on loopback with its own data folder, and a short reference clip.

The server runs in a subprocess (uvicorn, two worker processes) on a free port and is stopped
when the module's tests are done. The clip is the first 14 s of the bundled example, written as
WAV: real music, short enough that its analysis and renders take seconds.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import soundfile as sf

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "audio" / "noiz2sa__stg3.ogg"
#: Length of the test clip, in seconds.
CLIP_SECONDS = 14.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a running server (``http://127.0.0.1:<port>``)."""
    data = tmp_path_factory.mktemp("serve-data")
    port = free_port()
    log = (data / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "mirloop.cli.main", "serve", "--port", str(port), "--data", str(data),
         "--workers", "2"],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    told = (data / "server.log").read_text()
                    raise RuntimeError(f"the server did not start: {told}") from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first :data:`CLIP_SECONDS` of the bundled example as a WAV file."""
    frames = int(CLIP_SECONDS * sf.info(str(EXAMPLE)).samplerate)
    samples, sr = sf.read(EXAMPLE, frames=frames, dtype="float32")
    path = tmp_path_factory.mktemp("clip") / "reference clip.wav"
    sf.write(path, samples, sr)
    return path
