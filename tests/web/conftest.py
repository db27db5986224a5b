"""A real ``mirloop serve`` on loopback with its own data folder, and a short reference clip.

The server (:class:`mirloop.serve.testing.ServerProcess`: a subprocess with two worker
processes, on a free port) is shared by a test module. The clip is the first 14 s of the bundled
example, written as WAV: real music, short enough that its analysis and renders take seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import soundfile as sf

pytest.importorskip("fastapi", reason="the web app needs the 'serve' extra (make install installs it)")

from mirloop.serve.testing import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "audio" / "noiz2sa__stg3.ogg"
#: Length of the test clip, in seconds.
CLIP_SECONDS = 14.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a running server (``http://127.0.0.1:<port>``)."""
    process = ServerProcess(tmp_path_factory.mktemp("serve") / "data", workers=2).start()
    try:
        yield process.url
    finally:
        process.close()


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first :data:`CLIP_SECONDS` of the bundled example as a WAV file."""
    frames = int(CLIP_SECONDS * sf.info(str(EXAMPLE)).samplerate)
    samples, sr = sf.read(EXAMPLE, frames=frames, dtype="float32")
    path = tmp_path_factory.mktemp("clip") / "reference clip.wav"
    sf.write(path, samples, sr)
    return path
