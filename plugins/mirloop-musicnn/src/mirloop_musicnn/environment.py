"""The isolated TensorFlow environment used once, by ``mirloop-musicnn setup``, to export the weights.

musicnn's checkpoints are TensorFlow-1 graphs. TensorFlow never enters mirloop's environment:
``setup`` creates a virtualenv with ``tensorflow-cpu`` and ``musicnn`` (without its
dependencies), rebuilds each graph there with musicnn's own model code and exports the
weights to NumPy (:mod:`mirloop_musicnn.export`). At run time nothing here is needed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mirloop.errors import PluginError

#: TensorFlow for the export: the last 2.x whose Keras 2 still provides ``tf.compat.v1.layers``
#: (musicnn's model code), with CPython 3.11 wheels.
TENSORFLOW_REQUIREMENT = "tensorflow-cpu==2.15.1"
#: The musicnn release whose checkpoints are exported (installed with ``--no-deps``).
MUSICNN_REQUIREMENT = "musicnn==0.1.0"
#: Environment variable naming the export environment's folder.
VENV_VARIABLE = "MIRLOOP_MUSICNN_VENV"
#: Folder with the module run inside that environment.
WORKER_DIR = Path(__file__).parent / "worker"


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/mirloop``, else ``~/.cache/mirloop``."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base).expanduser() if base else Path.home() / ".cache") / "mirloop"


def default_venv() -> Path:
    """``$MIRLOOP_MUSICNN_VENV``, else ``<cache>/musicnn-venv``."""
    configured = os.environ.get(VENV_VARIABLE, "").strip()
    return Path(configured).expanduser() if configured else cache_root() / "musicnn-venv"


def venv_python(venv: str | os.PathLike[str] | None = None) -> Path:
    """The Python interpreter of the export environment."""
    folder = Path(venv).expanduser() if venv else default_venv()
    return folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def is_ready(venv: str | os.PathLike[str] | None = None) -> bool:
    """Whether the environment exists and imports TensorFlow and musicnn's model code."""
    python = venv_python(venv)
    if not python.exists():
        return False
    probe = subprocess.run(
        [str(python), "-c", "import tensorflow, musicnn.models"],
        capture_output=True,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    return probe.returncode == 0


def create(venv: str | os.PathLike[str] | None = None, *, python: str | None = None) -> Path:
    """Create the environment (if needed) with TensorFlow and musicnn; its interpreter. Idempotent."""
    folder = Path(venv).expanduser() if venv else default_venv()
    if is_ready(folder):
        return venv_python(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    _run([python or sys.executable, "-m", "venv", str(folder)], "create the virtualenv")
    interpreter = str(venv_python(folder))
    _run([interpreter, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], "upgrade pip")
    _run([interpreter, "-m", "pip", "install", "--quiet", TENSORFLOW_REQUIREMENT], "install TensorFlow")
    _run([interpreter, "-m", "pip", "install", "--quiet", "--no-deps", MUSICNN_REQUIREMENT],
         "install musicnn")
    if not is_ready(folder):
        raise PluginError(f"{folder} was set up but cannot import tensorflow and musicnn; "
                          "see the pip output above")
    return venv_python(folder)


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command)
    if result.returncode != 0:
        raise PluginError(f"could not {what}: `{' '.join(command)}` exited with status {result.returncode}")
