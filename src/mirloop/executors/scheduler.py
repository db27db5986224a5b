"""Choosing the executor: a scheduler address from the command line, the environment or the configuration."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mirloop.errors import ExecutorError
from mirloop.executors.base import Executor

#: The environment variable that names the Dask scheduler (below ``--scheduler``, above the files).
SCHEDULER_VARIABLE = "MIRLOOP_SCHEDULER"
#: The configuration table that holds ``scheduler = "tcp://HOST:PORT"``.
EXECUTOR_TABLE = "executor"
#: A scheduler address: a Dask protocol and HOST:PORT, or ``local:N`` for a cluster of N worker
#: processes started on this machine for the run.
ADDRESS = re.compile(r"^(?:(?:tcp|tls|ws|wss|ucx)://[^\s/:]+(?::\d+)?|local(?::[1-9]\d*)?)$")


def resolve_scheduler(
    option: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> str | None:
    """The scheduler address to use, or ``None`` for local processes.

    Sources, first found wins: ``option`` (``--scheduler``), ``MIRLOOP_SCHEDULER``, then
    ``[executor] scheduler`` in the file ``MIRLOOP_CONFIG`` names, ``mirloop.toml`` and
    ``[tool.mirloop.executor]`` of ``pyproject.toml`` (in the working directory). An empty value
    or ``"local-processes"`` means local processes.
    """
    env = os.environ if environ is None else environ
    where = Path(cwd) if cwd is not None else Path.cwd()
    found: list[tuple[str, Any]] = [
        ("--scheduler", option),
        (SCHEDULER_VARIABLE, env.get(SCHEDULER_VARIABLE)),
    ]
    found += _from_files(env, where)
    for source, value in found:
        if value is None:
            continue
        if not isinstance(value, str):
            raise ExecutorError(f"{source}: the scheduler must be text like tcp://HOST:8786, got {value!r}")
        value = value.strip()
        if value in ("", "local-processes"):
            return None
        if not ADDRESS.match(value):
            raise ExecutorError(
                f"{source}: {value!r} is not a scheduler address; give tcp://HOST:PORT (a running "
                "dask scheduler), local:N (N Dask workers on this machine) or leave it unset for "
                "local processes"
            )
        return value
    return None


def _from_files(env: Mapping[str, str], where: Path) -> list[tuple[str, Any]]:
    from mirloop.config import read_toml

    tables: list[tuple[str, Any]] = []
    if env.get("MIRLOOP_CONFIG"):
        path = env["MIRLOOP_CONFIG"]
        tables.append((f"MIRLOOP_CONFIG={path}", read_toml(path).get(EXECUTOR_TABLE)))
    if (where / "mirloop.toml").is_file():
        tables.append((str(where / "mirloop.toml"), read_toml(where / "mirloop.toml").get(EXECUTOR_TABLE)))
    if (where / "pyproject.toml").is_file():
        tool = read_toml(where / "pyproject.toml").get("tool", {}).get("mirloop", {})
        tables.append((f"{where / 'pyproject.toml'} [tool.mirloop]", tool.get(EXECUTOR_TABLE)))
    found: list[tuple[str, Any]] = []
    for source, table in tables:
        if table is None:
            continue
        if not isinstance(table, Mapping):
            raise ExecutorError(f"{source}: [{EXECUTOR_TABLE}] must be a table with scheduler = \"tcp://…\"")
        found.append((f"{source} [{EXECUTOR_TABLE}] scheduler", table.get("scheduler")))
    return found


def open_executor(
    scheduler: str | None = None, *, workers: int | None = None
) -> Executor:
    """:class:`~mirloop.executors.local.LocalExecutor` with ``workers`` processes, or — for a
    scheduler address (already resolved, see :func:`resolve_scheduler`) — a
    :class:`~mirloop.executors.dask.DaskExecutor` connected to it (``workers`` is then the
    cluster's business, except for ``local:N``)."""
    if scheduler is None:
        from mirloop.executors.local import LocalExecutor

        return LocalExecutor(workers)
    from mirloop.executors.dask import DaskExecutor

    return DaskExecutor(scheduler)
