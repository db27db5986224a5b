"""A plugin's own virtualenv, for dependencies that cannot share mirloop's environment.

A backend built on a library that pins, say, TensorFlow and NumPy < 2 keeps that library in a
virtualenv of its own and runs it there in a worker process. :class:`IsolatedEnv` is where that
environment lives (an environment variable, else a default folder), its interpreter, whether it
is ready (a probe run by that interpreter exits 0) and how it is created (``venv``, then ``pip``)::

    ENVIRONMENT = IsolatedEnv(
        variable="MIRLOOP_MYTOOL_VENV",
        default=lambda: Path.home() / ".cache" / "mirloop" / "mytool-venv",
        probe="import mytool",
        needs="mytool",
    )
    python = ENVIRONMENT.create(installs=[(["mytool==1.0"], "install mytool")])
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from attrs import field, frozen

from mirloop.errors import PluginError

VenvPath = str | os.PathLike[str] | None


@frozen
class IsolatedEnv:
    """A plugin's virtualenv: ``$variable`` if set, else ``default()``; ready when ``probe`` (Python
    source, run with ``probe_env`` added to the environment) exits 0 there. ``needs`` names what the
    probe imports, for the error when a fresh environment still fails it."""

    variable: str
    default: Callable[[], Path]
    probe: str
    needs: str
    probe_env: Mapping[str, str] = field(factory=dict)

    def default_venv(self) -> Path:
        """The folder named by the environment variable, else the default folder."""
        configured = os.environ.get(self.variable, "").strip()
        return Path(configured).expanduser() if configured else self.default()

    def folder(self, venv: VenvPath = None) -> Path:
        """``venv`` if given, else :meth:`default_venv`."""
        return Path(venv).expanduser() if venv else self.default_venv()

    def venv_python(self, venv: VenvPath = None) -> Path:
        """The environment's Python interpreter."""
        return self.folder(venv) / ("Scripts/python.exe" if os.name == "nt" else "bin/python")

    def is_ready(self, venv: VenvPath = None) -> bool:
        """Whether the environment exists and its interpreter runs the probe without error."""
        python = self.venv_python(venv)
        if not python.exists():
            return False
        probe = subprocess.run(
            [str(python), "-c", self.probe], capture_output=True, env={**os.environ, **self.probe_env}
        )
        return probe.returncode == 0

    def create(
        self,
        venv: VenvPath = None,
        *,
        installs: Sequence[tuple[Sequence[str], str]],
        python: str | None = None,
        quiet: bool = False,
    ) -> Path:
        """Create the environment unless it is ready, and its interpreter; idempotent.

        ``python`` (default: this interpreter) makes the virtualenv; pip is upgraded, then each
        of ``installs`` — ``pip install`` arguments and what they do, for the error — is run in
        turn (``quiet``: with ``--quiet``). :class:`~mirloop.errors.PluginError` names the step
        that failed, or says that the new environment still fails the probe.
        """
        folder = self.folder(venv)
        if self.is_ready(folder):
            return self.venv_python(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        run_step([python or sys.executable, "-m", "venv", str(folder)], "create the virtualenv")
        pip = [str(self.venv_python(folder)), "-m", "pip", "install", *(["--quiet"] if quiet else [])]
        run_step([*pip, "--upgrade", "pip"], "upgrade pip")
        for arguments, what in installs:
            run_step([*pip, *arguments], what)
        if not self.is_ready(folder):
            raise PluginError(
                f"{folder} was set up but still cannot import {self.needs}; see the pip output above"
            )
        return self.venv_python(folder)


def run_step(command: Sequence[str], what: str) -> None:
    """Run ``command`` (its output shown); :class:`~mirloop.errors.PluginError` if it fails."""
    result = subprocess.run(list(command))
    if result.returncode != 0:
        raise PluginError(f"could not {what}: `{' '.join(command)}` exited with status {result.returncode}")
