"""The isolated spleeter environment: where it lives, creating it, checking it.

Spleeter pins TensorFlow 2.12 and NumPy < 2, which cannot share mirloop's environment, so
it gets its own virtualenv (``mirloop-spleeter setup``) and runs in a worker process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mirloop.errors import PluginError

#: The spleeter release and the extra packages installed into the worker environment.
REQUIREMENTS: tuple[str, ...] = ("spleeter==2.4.2", "soundfile>=0.12")
#: Environment variable naming the worker environment's folder.
VENV_VARIABLE = "MIRLOOP_SPLEETER_VENV"
#: Folder with the worker-side modules (put on the worker's PYTHONPATH).
WORKER_DIR = Path(__file__).parent / "worker"


def default_venv() -> Path:
    """``$MIRLOOP_SPLEETER_VENV``, else ``~/.cache/mirloop/spleeter-venv``."""
    configured = os.environ.get(VENV_VARIABLE, "").strip()
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "mirloop" / "spleeter-venv"


def venv_python(venv: str | os.PathLike[str] | None = None) -> Path:
    """The Python interpreter of the worker environment."""
    folder = Path(venv).expanduser() if venv else default_venv()
    return folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def is_ready(venv: str | os.PathLike[str] | None = None) -> bool:
    """Whether the environment exists and imports spleeter and soundfile."""
    python = venv_python(venv)
    if not python.exists():
        return False
    probe = subprocess.run([str(python), "-c", "import spleeter, soundfile"], capture_output=True)
    return probe.returncode == 0


def require_ready(venv: str | os.PathLike[str] | None = None) -> Path:
    """The worker interpreter, or :class:`PluginError` saying how to create it."""
    if not is_ready(venv):
        where = Path(venv).expanduser() if venv else default_venv()
        raise PluginError(
            f"the spleeter environment {where} is missing or cannot import spleeter; create it with "
            f"`mirloop-spleeter setup{' --venv ' + str(where) if venv else ''}` (needs Python 3.8–3.11 "
            "and network access to PyPI)"
        )
    return venv_python(venv)


def setup(venv: str | os.PathLike[str] | None = None, *, python: str | None = None) -> Path:
    """Create the environment (if needed) and install :data:`REQUIREMENTS`; idempotent.

    ``python`` is the interpreter that creates the venv (default: this one; spleeter 2.4
    supports Python 3.8–3.11).
    """
    folder = Path(venv).expanduser() if venv else default_venv()
    if is_ready(folder):
        return venv_python(folder)
    base = python or sys.executable
    folder.parent.mkdir(parents=True, exist_ok=True)
    _run([base, "-m", "venv", str(folder)], "create the virtualenv")
    interpreter = venv_python(folder)
    _run([str(interpreter), "-m", "pip", "install", "--upgrade", "pip"], "upgrade pip")
    _run([str(interpreter), "-m", "pip", "install", *REQUIREMENTS], "install spleeter")
    if not is_ready(folder):
        raise PluginError(f"{folder} was set up but still cannot import spleeter; see the pip output above")
    return interpreter


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command)
    if result.returncode != 0:
        raise PluginError(f"could not {what}: `{' '.join(command)}` exited with status {result.returncode}")
