"""The time left of a batch that starts its costliest tasks first is estimated from the cost
done, not from the tasks done: the first tasks are the slowest."""

from __future__ import annotations

import io

from mirloop.executors.progress import CostBar, TaskProgress


def bar_after(seconds: float, *, total: int, total_cost: float, costs: list[float]) -> str:
    """The bar's line once tasks of ``costs`` finished ``seconds`` after it started."""
    bar = CostBar(total=total, total_cost=total_cost, file=io.StringIO(), mininterval=0, smoothing=0)
    bar.start_t = bar._time() - seconds
    for cost in costs:
        bar.done(cost)
    bar.start_t = bar._time() - seconds
    line = str(bar)
    bar.close()
    return line


def test_the_time_left_is_the_time_so_far_times_the_cost_left_over_the_cost_done() -> None:
    # one long task of four (half the cost) in 60 s: 60 s left, not the 3 x 60 s of three more tasks
    assert "01:00<01:00" in bar_after(60.0, total=4, total_cost=10.0, costs=[5.0])
    assert "01:00<00:20" in bar_after(60.0, total=4, total_cost=10.0, costs=[5.0, 2.5])


def test_without_costs_the_time_left_is_at_the_rate_of_tasks() -> None:
    assert "01:00<03:00" in bar_after(60.0, total=4, total_cost=0.0, costs=[0.0])


def test_before_the_first_task_the_time_left_is_unknown() -> None:
    assert "<?" in bar_after(5.0, total=4, total_cost=10.0, costs=[])


def test_task_progress_counts_tasks_and_failures_and_weighs_the_time_left_by_cost() -> None:
    progress = TaskProgress(3, unit="track", costs=[6.0, 3.0, 3.0])
    progress.update(ok=False, cost=6.0)
    bar = progress.bar
    assert (bar.n, progress.failed, bar.done_cost, bar.total_cost) == (1, 1, 6.0, 12.0)
    progress.close()
