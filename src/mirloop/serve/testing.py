"""A real ``mirloop serve`` in a subprocess on a free loopback port, for tests and benchmarks.

::

    with ServerProcess(tmp_path / "data", env={"MIRLOOP_SERVE_FAULTS": "delay=0.2"}) as server:
        AmperClient(server.url).render(timeline)
        server.kill()        # kill -9, as a crash would
        server.start()       # same port, same data folder

The server sees none of the caller's ``MIRLOOP_*`` variables (its faults, keys and configuration
are what ``env`` and ``args`` say). It runs in its own session (process group);
:meth:`ServerProcess.close` ends that group, so no worker outlives the test. Its log is
``<data>/server.log``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

from mirloop.errors import MirloopError


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """``mirloop serve --data DATA`` on 127.0.0.1 (see the module docstring)."""

    def __init__(
        self,
        data: str | os.PathLike[str],
        *,
        env: Mapping[str, str] | None = None,
        workers: int = 1,
        queue_limit: int = 32,
        args: Sequence[str] = (),
        port: int | None = None,
    ) -> None:
        self.data = Path(data)
        self.port = port or free_port()
        self.env = dict(env or {})
        self.command = [
            sys.executable, "-m", "mirloop.cli.main", "serve", "--host", "127.0.0.1",
            "--port", str(self.port), "--data", str(self.data), "--workers", str(workers),
            "--queue-limit", str(queue_limit), *args,
        ]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.data / "server.log"

    def start(self, *, timeout: float = 90.0) -> ServerProcess:
        """Start the server and wait until it answers ``/openapi.json``."""
        self.data.mkdir(parents=True, exist_ok=True)
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("MIRLOOP_")}
        env = {**inherited, **self.env}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise MirloopError(f"the server exited with status {self.process.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/openapi.json", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.close()
        raise MirloopError(f"the server did not answer within {timeout:g} s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def kill(self) -> None:
        """``kill -9`` the server process alone (its workers notice and exit on their own)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop the server as Ctrl-C would (SIGINT), waiting for it to exit."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def close(self) -> None:
        """Stop the server and end every process of its group."""
        if self.process is None:
            return
        self.stop()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
