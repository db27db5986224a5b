"""The isolated TensorFlow environment used once, by ``mirloop-musicnn setup``, to export the weights.

musicnn's checkpoints are TensorFlow-1 graphs. TensorFlow never enters mirloop's environment:
``setup`` creates a virtualenv with ``tensorflow-cpu`` and ``musicnn`` (without its
dependencies), rebuilds each graph there with musicnn's own model code and exports the
weights to NumPy (:mod:`mirloop_musicnn.export`). At run time nothing here is needed.
"""

from __future__ import annotations

import os
from pathlib import Path

from mirloop.plugins_support.isolated_env import IsolatedEnv, VenvPath

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


#: The export environment: ``$MIRLOOP_MUSICNN_VENV``, else ``<cache>/musicnn-venv``; ready when
#: it imports TensorFlow and musicnn's model code.
ENVIRONMENT = IsolatedEnv(
    variable=VENV_VARIABLE,
    default=lambda: cache_root() / "musicnn-venv",
    probe="import tensorflow, musicnn.models",
    needs="tensorflow and musicnn",
    probe_env={"TF_CPP_MIN_LOG_LEVEL": "3"},
)
default_venv = ENVIRONMENT.default_venv
venv_python = ENVIRONMENT.venv_python
is_ready = ENVIRONMENT.is_ready


def create(venv: VenvPath = None, *, python: str | None = None) -> Path:
    """Create the environment (if needed) with TensorFlow and musicnn; its interpreter. Idempotent."""
    installs = [
        ([TENSORFLOW_REQUIREMENT], "install TensorFlow"),
        (["--no-deps", MUSICNN_REQUIREMENT], "install musicnn"),
    ]
    return ENVIRONMENT.create(venv, installs=installs, python=python, quiet=True)
