"""Local processes keep their workers for the whole run: every batch after the first finds them
started, with what their earlier tasks loaded; a worker that dies is replaced, its task retried
once; one worker is this process."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pandas as pd
import pytest

from mirloop.errors import ExecutorError
from mirloop.executors import LocalExecutor, TaskLost, executor_for
from mirloop.parallel import STOP_SECONDS
from mirloop.pipelines.batch import TrackReport, analyze_tracks
from tests.executors.tasks import pid_after, pid_or_die
from tests.pipelines.audio_files import pulse_track, write
from tests.pipelines.toy_backends import TOY_CONFIG

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")


def run(executor: LocalExecutor, function: object, jobs: list[tuple[object, ...]]) -> dict[int, object]:
    return dict(executor.run(function, jobs, ids=[str(i) for i in range(len(jobs))]))  # type: ignore[arg-type]


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_two_batches_of_one_run_go_to_the_same_two_workers() -> None:
    with LocalExecutor(2) as executor:
        executor.start()
        started = sorted(executor.pids)
        first = run(executor, pid_after, [(0.05,)] * 6)
        second = run(executor, pid_after, [(0.05,)] * 6)

        assert len(started) == 2 and os.getpid() not in started
        assert sorted(set(first.values())) == started
        assert sorted(set(second.values())) == started
        assert sorted(executor.pids) == started


def test_a_crash_in_the_first_batch_costs_its_task_only_and_the_next_batch_runs_whole() -> None:
    with LocalExecutor(2) as executor:
        crashed = run(executor, pid_or_die, [(False,), (True,), (False,), (False,)])
        second = run(executor, pid_or_die, [(False,)] * 4)

        lost = crashed.pop(1)
        assert isinstance(lost, TaskLost)
        assert lost.error == "worker process died (exit status 70) on 2 attempt(s)"
        assert all(isinstance(pid, int) for pid in crashed.values())
        assert all(isinstance(pid, int) for pid in second.values())
        assert set(second.values()) <= set(executor.pids) and len(executor.pids) == 2


def test_a_worker_that_died_between_batches_is_replaced_before_the_next_one_and_costs_no_task() -> None:
    with LocalExecutor(2) as executor:
        executor.start()
        victim, survivor = executor.pids
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while victim in executor.pids and time.monotonic() < deadline:
            time.sleep(0.01)

        results = run(executor, pid_after, [(0.05,)] * 4)

        assert all(isinstance(pid, int) for pid in results.values())  # no task charged with the death
        assert survivor in executor.pids and victim not in executor.pids and len(executor.pids) == 2


def test_close_stops_every_worker_at_once() -> None:
    executor = LocalExecutor(2)
    executor.start()  # closed while the workers may still be starting up
    pids = executor.pids
    started = time.monotonic()

    executor.close()

    assert time.monotonic() - started < STOP_SECONDS
    assert len(pids) == 2 and all(gone(pid) for pid in pids)
    assert executor.pids == []


def test_a_batch_left_early_stops_the_workers_still_on_its_tasks_and_keeps_the_others() -> None:
    with LocalExecutor(2) as executor:
        executor.start()
        batch = executor.run(pid_after, [(0.0,), (60.0,)], ids=["quick", "long"])
        index, idle = next(batch)
        busy = next(pid for pid in executor.pids if pid != idle)

        batch.close()  # the caller stops iterating: the 60-s task must not run on

        assert index == 0 and gone(busy) and idle in executor.pids
        assert isinstance(run(executor, pid_after, [(0.0,), (0.0,)])[0], int)


def test_one_worker_is_this_process() -> None:
    executor = LocalExecutor(1)
    executor.start()

    assert run(executor, pid_after, [(0.0,), (0.0,)]) == {0: os.getpid(), 1: os.getpid()}
    assert executor.pids == [] and executor.inline(5)


def test_a_single_task_runs_here_unless_the_workers_are_already_up() -> None:
    with LocalExecutor(2) as executor:
        assert executor.inline(1)
        assert run(executor, pid_after, [(0.0,)]) == {0: os.getpid()}

        executor.start()

        assert not executor.inline(1)
        assert run(executor, pid_after, [(0.0,)])[0] in executor.pids


def test_executor_for_closes_only_the_local_processes_it_made() -> None:
    with LocalExecutor(2) as mine:
        mine.start()
        with executor_for(mine, 4) as given:
            assert given is mine
        assert len(mine.pids) == 2  # still up: the caller closes its own executor

        with executor_for(None, 2) as made:
            assert isinstance(made, LocalExecutor) and made.workers == 2
            made.start()
            pids = made.pids
        assert made.pids == [] and all(gone(pid) for pid in pids)


@pytest.mark.usefixtures("toy_site")
def test_two_analyses_on_one_executor_write_what_one_process_writes(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    inputs = [write(tmp_path / "in" / f"{name}.wav", pulse_track(3.0), 22050) for name in "abcd"]
    serial = analyze_tracks(inputs, tmp_path / "serial", config=TOY_CONFIG, figure=False, workers=1)

    with LocalExecutor(2) as executor:
        first = analyze_tracks(inputs[:2], tmp_path / "pool", config=TOY_CONFIG, figure=False,
                               executor=executor)
        pids = sorted(executor.pids)
        second = analyze_tracks(inputs[2:], tmp_path / "pool", config=TOY_CONFIG, figure=False,
                                executor=executor)

        assert len(pids) == 2 and sorted(executor.pids) == pids

    def files(folder: Path) -> list[str]:
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.name != "summary.json")

    def summary(reports: list[TrackReport]) -> list[tuple[bool, float | None, str | None]]:
        return [(r.ok, r.tempo_bpm, r.key) for r in reports]

    assert summary(first + second) == summary(serial)
    assert files(tmp_path / "pool") == files(tmp_path / "serial")
    for name in "abcd":
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "serial" / name / f"{name}.grid.parquet"),
            pd.read_parquet(tmp_path / "pool" / name / f"{name}.grid.parquet"),
        )


def test_a_second_batch_waits_for_the_first_to_end() -> None:
    with LocalExecutor(2) as executor:
        first = executor.run(pid_after, [(0.0,)] * 3, ids=["a", "b", "c"])
        next(first)

        with pytest.raises(ExecutorError, match="still running a batch"):
            run(executor, pid_after, [(0.0,), (0.0,)])
        first.close()

        assert len(run(executor, pid_after, [(0.0,), (0.0,)])) == 2


def test_a_command_with_one_input_keeps_its_task_here_and_starts_no_worker() -> None:
    from mirloop.cli.common import open_batch_executor

    one = open_batch_executor(None, workers=2, start=False)
    many = open_batch_executor(None, workers=2)
    try:
        assert run(one, pid_after, [(0.0,)]) == {0: os.getpid()} and one.pids == []
        assert len(many.pids) == 2 and run(many, pid_after, [(0.0,)])[0] in many.pids
    finally:
        one.close()
        many.close()
