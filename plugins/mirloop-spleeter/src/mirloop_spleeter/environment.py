"""The isolated spleeter environment: where it lives, creating it, checking it.

Spleeter pins TensorFlow 2.12 and NumPy < 2, which cannot share mirloop's environment, so
it gets its own virtualenv (``mirloop-spleeter setup``) and runs in a worker process.
"""

from __future__ import annotations

from pathlib import Path

from mirloop.errors import PluginError
from mirloop.plugins_support.isolated_env import IsolatedEnv, VenvPath

#: The spleeter release and the extra packages installed into the worker environment.
REQUIREMENTS: tuple[str, ...] = ("spleeter==2.4.2", "soundfile>=0.12")
#: Environment variable naming the worker environment's folder.
VENV_VARIABLE = "MIRLOOP_SPLEETER_VENV"
#: Folder with the worker-side modules (put on the worker's PYTHONPATH).
WORKER_DIR = Path(__file__).parent / "worker"

#: The worker environment: ``$MIRLOOP_SPLEETER_VENV``, else ``~/.cache/mirloop/spleeter-venv``;
#: ready when it imports spleeter and soundfile.
ENVIRONMENT = IsolatedEnv(
    variable=VENV_VARIABLE,
    default=lambda: Path.home() / ".cache" / "mirloop" / "spleeter-venv",
    probe="import spleeter, soundfile",
    needs="spleeter",
)
default_venv = ENVIRONMENT.default_venv
venv_python = ENVIRONMENT.venv_python
is_ready = ENVIRONMENT.is_ready


def require_ready(venv: VenvPath = None) -> Path:
    """The worker interpreter, or :class:`PluginError` saying how to create it."""
    if not is_ready(venv):
        where = ENVIRONMENT.folder(venv)
        raise PluginError(
            f"the spleeter environment {where} is missing or cannot import spleeter; create it with "
            f"`mirloop-spleeter setup{' --venv ' + str(where) if venv else ''}` (needs Python 3.8–3.11 "
            "and network access to PyPI)"
        )
    return venv_python(venv)


def setup(venv: VenvPath = None, *, python: str | None = None) -> Path:
    """Create the environment (if needed) and install :data:`REQUIREMENTS`; idempotent.

    ``python`` is the interpreter that creates the venv (default: this one; spleeter 2.4
    supports Python 3.8–3.11).
    """
    return ENVIRONMENT.create(venv, installs=[(REQUIREMENTS, "install spleeter")], python=python)
