"""Batches start their costliest tasks first, so that two workers end together instead of one
waiting while the other finishes the long task it took last; the results keep their indices."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from mirloop.errors import InvalidValueError
from mirloop.executors import Executor, LocalExecutor
from mirloop.executors.base import file_costs, launch_order
from mirloop.parallel import JobsInterrupted
from tests.executors.tasks import pid_after, started_at
from tests.executors.test_local_pool import gone

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema")

#: Short tasks, a long one last: in their own order, on two workers, one worker holds task 1 while
#: the other runs 0, 2, 3 and 4, so the last task starts 0.1 s after the one before it (not a race);
#: by cost, 5 and 1 start first.
SECONDS = [0.1, 0.6, 0.1, 0.1, 0.1, 0.4]


def test_the_order_is_by_decreasing_cost_ties_in_their_own_order() -> None:
    assert launch_order(5, [1.0, 3.0, 1.0, 2.0, 3.0]) == [1, 4, 3, 0, 2]
    assert launch_order(3, [3.0, 2.0, 2.0]) is None  # already in that order
    assert launch_order(3, None) is None


def test_a_cost_per_job_is_required() -> None:
    with pytest.raises(InvalidValueError, match="2 costs for 3 jobs"):
        launch_order(3, [1.0, 2.0])


def starts(executor: Executor, costs: Sequence[float] | None) -> list[int]:
    """The tasks' indices in the order they started."""
    jobs = [(seconds,) for seconds in SECONDS]
    began = dict(executor.run(started_at, jobs, ids=[f"t{i}" for i in range(len(jobs))], costs=costs))
    assert sorted(began) == list(range(len(jobs)))  # every index once, as given
    return sorted(began, key=began.__getitem__)


def test_two_local_workers_start_the_longest_task_first() -> None:
    with LocalExecutor(2) as executor:
        executor.start()
        assert starts(executor, None)[-1] == 5
        assert 5 in starts(executor, SECONDS)[:2]


def test_one_worker_runs_the_tasks_here_in_their_own_order() -> None:
    assert starts(LocalExecutor(1), SECONDS) == [0, 1, 2, 3, 4, 5]


class Interrupting(Executor):
    """Yields its first job's result, then is interrupted with the second one's arrived."""

    kind = "test"

    @property
    def workers(self) -> int:
        return 2

    def _run(
        self, function: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], *, ids: Sequence[str]
    ) -> Iterator[tuple[int, Any]]:
        yield 0, function(*jobs[0])
        raise JobsInterrupted([(1, function(*jobs[1]))])


def test_an_interrupt_carries_the_arrived_results_under_their_own_indices() -> None:
    batch = Interrupting().run(str, [("a",), ("b",), ("c",)], ids=["a", "b", "c"], costs=[1.0, 2.0, 3.0])
    assert next(batch) == (2, "c")
    with pytest.raises(JobsInterrupted) as interrupted:
        next(batch)
    assert interrupted.value.arrived == [(1, "b")]


def test_file_costs_are_sizes_and_zero_for_what_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "a.wav").write_bytes(b"x" * 300)
    (tmp_path / "b.wav").write_bytes(b"x" * 20)
    assert file_costs([tmp_path / "a.wav", tmp_path / "b.wav", tmp_path / "gone.wav"]) == [300.0, 20.0, 0.0]


def test_a_batch_left_early_stops_the_worker_still_on_its_longest_task() -> None:
    with LocalExecutor(2) as executor:
        executor.start()
        batch = executor.run(pid_after, [(0.0,), (60.0,)], ids=["quick", "long"], costs=[0.0, 60.0])
        index, idle = next(batch)
        busy = next(pid for pid in executor.pids if pid != idle)

        batch.close()  # the caller stops iterating: the 60-s task, started first, must not run on

        assert index == 0 and gone(busy) and idle in executor.pids
