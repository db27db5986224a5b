"""The mirloop side of the spleeter worker: start it once per model, stream waveforms through it."""

from __future__ import annotations

import atexit
import os
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

import numpy as np
from mirloop.errors import PluginError

from mirloop_spleeter.environment import WORKER_DIR
from mirloop_spleeter.worker import wire

#: Seconds allowed for TensorFlow to start and restore the model.
STARTUP_TIMEOUT = 300.0


class SpleeterWorker:
    """One worker process with one model loaded; :meth:`separate` may be called many times."""

    def __init__(self, python: Path, params: str, model_dir: Path) -> None:
        self.log = Path(tempfile.mkstemp(prefix="mirloop-spleeter-", suffix=".log")[1])
        env = {**os.environ, "PYTHONPATH": str(WORKER_DIR), "TF_CPP_MIN_LOG_LEVEL": "2",
               "PYTHONUNBUFFERED": "1"}
        env.pop("MODEL_PATH", None)  # the model folder is passed explicitly, never resolved by spleeter
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [str(python), str(WORKER_DIR / "spleeter_worker.py"), params, str(model_dir)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env,
            )
        self._lock = threading.Lock()
        header = self._receive(timeout=STARTUP_TIMEOUT, what="starting")
        if not header.get("ok"):
            self.close()
            raise PluginError(f"the spleeter worker could not load the model in {model_dir}: "
                              f"{header.get('error')} (log: {self.log})")
        self.stems: list[str] = list(header["stems"])
        self.sample_rate = int(header["sample_rate"])

    def separate(self, waveform: np.ndarray) -> dict[str, np.ndarray]:
        """Stems of a ``(n_samples, 2)`` float32 waveform at :attr:`sample_rate`, each ``(n_samples, 2)``."""
        with self._lock:
            if self.process.poll() is not None:
                raise PluginError(f"the spleeter worker has exited (status {self.process.returncode}); "
                                  f"see {self.log}")
            assert self.process.stdin is not None
            wire.send(self.process.stdin, {"op": "separate", "shape": list(waveform.shape)}, (waveform,))
            header = self._receive(timeout=None, what="separating")
            if not header.get("ok"):
                raise PluginError(f"spleeter failed to separate: {header.get('error')} (log: {self.log})")
            arrays = wire.split(self._payload, header["shapes"])
            return dict(zip(header["stems"], arrays, strict=True))

    def close(self) -> None:
        """Ask the worker to quit, and make sure it does."""
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                wire.send(self.process.stdin, {"op": "quit"})
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired, ValueError):
                self.process.kill()
                self.process.wait()

    def _receive(self, *, timeout: float | None, what: str) -> dict[str, Any]:
        assert self.process.stdout is not None
        result: dict[str, object] = {}

        def read(stream: IO[bytes]) -> None:
            try:
                result["header"], result["payload"] = wire.receive(stream)
            except EOFError as exc:
                result["error"] = exc

        reader = threading.Thread(target=read, args=(self.process.stdout,), daemon=True)
        reader.start()
        reader.join(timeout)
        if reader.is_alive():
            self.process.kill()
            raise PluginError(f"the spleeter worker did not answer within {timeout:.0f} s while {what}; "
                              f"see {self.log}")
        if "error" in result:
            tail = self.log.read_text(errors="replace")[-1500:]
            raise PluginError(f"the spleeter worker exited while {what}. Its last output:\n{tail}")
        self._payload: bytes = result["payload"]  # type: ignore[assignment]
        header: dict[str, Any] = result["header"]  # type: ignore[assignment]
        return header


_WORKERS: dict[tuple[str, str, str], SpleeterWorker] = {}
_WORKERS_LOCK = threading.Lock()


def worker_for(python: Path, params: str, model_dir: Path) -> SpleeterWorker:
    """The running worker for this environment, configuration and model, started on first use."""
    key = (str(python), params, str(model_dir))
    with _WORKERS_LOCK:
        worker = _WORKERS.get(key)
        if worker is None or worker.process.poll() is not None:
            worker = _WORKERS[key] = SpleeterWorker(python, params, model_dir)
        return worker


@atexit.register
def close_all() -> None:
    """Stop every worker this process started."""
    with _WORKERS_LOCK:
        for worker in _WORKERS.values():
            worker.close()
        _WORKERS.clear()
