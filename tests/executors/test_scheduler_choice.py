"""Where a batch runs: local processes unless a Dask scheduler is named, and the core never
imports Dask unless one is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import mirloop
from mirloop.config import load_config
from mirloop.errors import ExecutorError
from mirloop.executors import LocalExecutor, open_executor, resolve_scheduler

SOURCES = Path(mirloop.__file__).resolve().parents[1]
REPO = SOURCES.parent


def test_the_option_wins_over_the_environment_which_wins_over_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "mirloop.toml").write_text('[executor]\nscheduler = "tcp://from-file:8786"\n')
    env = {"MIRLOOP_SCHEDULER": "tcp://from-env:8786"}

    assert resolve_scheduler("tcp://option:8786", environ=env, cwd=tmp_path) == "tcp://option:8786"
    assert resolve_scheduler(None, environ=env, cwd=tmp_path) == "tcp://from-env:8786"
    assert resolve_scheduler(None, environ={}, cwd=tmp_path) == "tcp://from-file:8786"
    assert resolve_scheduler(None, environ={"MIRLOOP_SCHEDULER": ""}, cwd=tmp_path) is None
    assert resolve_scheduler(None, environ={}, cwd=tmp_path / "elsewhere") is None
    assert load_config(cwd=tmp_path, environ={}).backend("tempo") == "librosa"  # [executor] is no stage


def test_a_malformed_scheduler_address_is_refused_with_what_to_give(tmp_path: Path) -> None:
    expected = r"MIRLOOP_SCHEDULER: 'localhost:8786' is not a scheduler address; give tcp://HOST:PORT"
    with pytest.raises(ExecutorError, match=expected):
        resolve_scheduler(None, environ={"MIRLOOP_SCHEDULER": "localhost:8786"}, cwd=tmp_path)


def test_no_scheduler_means_local_processes() -> None:
    executor = open_executor(None, workers=3)

    assert isinstance(executor, LocalExecutor) and executor.workers == 3 and not executor.remote


def _run(code: str, tmp_path: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SOURCES), str(REPO), *map(str, paths)])}
    env.pop("MIRLOOP_SCHEDULER", None)
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)


def test_a_local_batch_never_imports_dask(tmp_path: Path, toy_site: Path) -> None:
    code = f"""
import sys
from tests.pipelines.audio_files import pulse_track, write
from mirloop.cli.main import main
from pathlib import Path
folder = Path({str(tmp_path)!r}) / "in"
folder.mkdir()
write(folder / "a.wav", pulse_track(2.0), 22050)
write(folder / "b.wav", pulse_track(2.0), 22050)
toy = [f"--use={{stage}}=toy" for stage in ("features", "tempo", "key", "segmenter")]
status = main(["analyze", str(folder), "-o", str(folder.parent / "out"), "--no-figure", "-q",
               *toy])
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("dask", "distributed"))
print(status, loaded)
"""
    run = _run(code, tmp_path, toy_site)

    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "0 []"
    assert (tmp_path / "out" / "a" / "a.jams").is_file()


def test_a_scheduler_without_dask_installed_gets_one_error_naming_the_extra(tmp_path: Path) -> None:
    code = """
import sys
sys.modules["distributed"] = None  # as if the optional extra were not installed
from mirloop.executors import open_executor
from mirloop.errors import ExecutorError
try:
    open_executor("tcp://scheduler:8786")
except ExecutorError as exc:
    print(exc)
"""
    run = _run(code, tmp_path)

    assert "dask.distributed is not installed" in run.stdout
    assert "pip install 'mirloop[distributed]'" in run.stdout
