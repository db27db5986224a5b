"""Batches on worker processes: a dying worker costs one track; Ctrl-C stops the run at once.

The workers are fresh interpreters, so the toy plugin reaches them as an installed plugin
would: through an entry point of a distribution on the path.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import mirloop
from mirloop.pipelines.batch import analyze_tracks
from tests.pipelines.audio_files import pulse_track, write
from tests.pipelines.toy_backends import TOY_CONFIG

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")

REPO = Path(__file__).resolve().parents[2]
SOURCES = Path(mirloop.__file__).resolve().parents[1]


@pytest.fixture
def toy_plugin_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A distribution whose ``mirloop`` entry point is :mod:`tests.pipelines.toy_backends`, on the path."""
    from mirloop import plugins

    site = tmp_path / "site"
    info = site / "mirloop_toy_tests-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mirloop-toy-tests\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[mirloop]\ntoy = tests.pipelines.toy_backends\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(plugins, "_REGISTRY", None)
    return site


def tracks(folder: Path, count: int, seconds: float = 3.0) -> list[Path]:
    folder.mkdir(parents=True)
    return [write(folder / f"{chr(ord('a') + i)}.wav", pulse_track(seconds), 22050) for i in range(count)]


@pytest.mark.usefixtures("toy_plugin_installed")
@pytest.mark.parametrize(("how", "death"), [("exit", "exit status 70"), ("kill", "killed by signal 9")])
def test_a_worker_that_dies_costs_only_its_track_after_one_retry(
    how: str, death: str, tmp_path: Path
) -> None:
    inputs = tracks(tmp_path / "in", 5)
    config = {**TOY_CONFIG, "tempo": {"backend": "fragile", "die_on": "b.wav", "how": how}}

    reports = analyze_tracks(inputs, tmp_path / "out", config=config, workers=2, figure=False)

    assert [r.ok for r in reports] == [True, False, True, True, True]
    assert reports[1].error == f"worker process died ({death}) on 2 attempt(s)"
    assert all(r.tempo_bpm == 120.0 for r in reports if r.ok)
    out = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert out == ["a", "c", "d", "e", "summary.json"]  # nothing of b, not even a temporary folder
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["n_failed"] == 1 and summary["failed"][0]["source"] == str(inputs[1])


def _default_sigint() -> None:
    """Ctrl-C as a terminal's foreground command has it. A test runner's worker process may
    ignore SIGINT (pytest-xdist's do), and an ignored signal stays ignored in its children."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@pytest.fixture
def terminal_sigint() -> Iterator[None]:
    """This process takes Ctrl-C as Python's default does (KeyboardInterrupt) for the test's length."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def test_ctrl_c_stops_a_batch_at_once_and_lists_what_finished(
    toy_plugin_installed: Path, tmp_path: Path
) -> None:
    tracks(tmp_path / "in", 20, seconds=2.0)
    out = tmp_path / "out"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SOURCES), str(REPO), str(toy_plugin_installed)]),
    }
    command = [
        sys.executable, "-m", "mirloop.cli.main", "analyze", str(tmp_path / "in"), "-o", str(out),
        "--workers", "2", "--no-figure", "-q",
        "--use", "features=toy", "--use", "key=toy", "--use", "segmenter=toy",
        "--use", "tempo=fragile", "--set", "tempo.sleep=1.0",
    ]
    run = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           start_new_session=True, preexec_fn=_default_sigint)
    deadline = time.monotonic() + 120
    while not [p for p in out.glob("*") if p.is_dir() and not p.name.startswith(".")]:
        assert run.poll() is None and time.monotonic() < deadline, run.communicate()
        time.sleep(0.05)

    os.killpg(run.pid, signal.SIGINT)  # as a terminal does: the whole process group
    stopped = time.monotonic()
    stdout, stderr = run.communicate(timeout=60)
    seconds = time.monotonic() - stopped

    assert run.returncode == 130, stderr
    assert seconds < 4.0, f"took {seconds:.1f} s to stop"
    assert "Traceback" not in stderr and "interrupted:" in stderr
    summary = json.loads((out / "summary.json").read_text())
    finished = [Path(t["source"]).stem for t in summary["tracks"]]
    assert summary["interrupted"] and 1 <= len(finished) <= 6
    assert len(summary["not_started"]) == 20 - len(finished)
    assert sorted(p.name for p in out.iterdir()) == sorted([*finished, "summary.json"])  # no partial outputs
    assert all(len(list((out / name).iterdir())) == 4 for name in finished)
    assert f"{len(finished)} of {len(finished)} track(s) analysed" in stdout


@pytest.mark.usefixtures("terminal_sigint")
def test_a_ctrl_c_while_a_worker_starts_is_held_back_not_lost() -> None:
    from mirloop.parallel import _sigint_held_back

    with pytest.raises(KeyboardInterrupt):
        with _sigint_held_back():
            os.kill(os.getpid(), signal.SIGINT)  # lands while the worker is being started
            time.sleep(0.05)
        time.sleep(0.05)  # the held-back Ctrl-C arrives here, once the block lifts
