"""Running the per-render jobs of a dataset command (generate, refeature) with progress, and
the report both commands return (:class:`RunReport`).

One job per render, each returning its row or a :class:`JobFailure`,
run by an :class:`~mirloop.executors.Executor`: on one local worker in this process, on several
through :func:`mirloop.parallel.run_jobs`, or on a Dask cluster; a worker that dies costs its
render only (after one retry) and Ctrl-C stops the workers at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self

from attrs import frozen

if TYPE_CHECKING:
    from mirloop.dataset.manifest import ManifestRow
    from mirloop.executors import Executor


@frozen
class JobFailure:
    """A render whose job raised: its id, the error in one line and the traceback."""

    render_id: str
    error: str
    details: str = ""


@frozen
class RunReport:
    """What a dataset command's run did: renders planned, already done, made now, failed, and its
    times; each command's report adds its own fields and names the ones its JSON shows."""

    root: Path
    planned: int
    already_done: int
    made: int
    failures: tuple[JobFailure, ...] = ()
    wall_seconds: float = 0.0
    audio_seconds: float = 0.0
    feature_seconds: float = 0.0
    collected: bool = False
    workers: int = 1

    #: The figures :meth:`to_dict` lists between ``wall_seconds`` and ``workers``, in that order.
    TIMING_KEYS: ClassVar[tuple[str, ...]] = ("audio_seconds", "feature_seconds")

    @classmethod
    def of_run(
        cls,
        run: JobsRun,
        *,
        root: Path,
        planned: int,
        already_done: int,
        collected: bool,
        workers: int,
        **own: Any,
    ) -> Self:
        """The report of ``run``: renders made and failed, wall time, and the audio and feature
        seconds of the rows made (their ``duration`` and ``feature_seconds``); ``own`` are the
        subclass's fields."""
        return cls(
            root=root,
            planned=planned,
            already_done=already_done,
            made=len(run.made),
            failures=run.failures,
            wall_seconds=run.wall_seconds,
            audio_seconds=sum(r.duration for r in run.made),
            feature_seconds=sum(r.feature_seconds for r in run.made),
            collected=collected,
            workers=workers,
            **own,
        )

    @property
    def renders_per_second(self) -> float:
        return self.made / self.wall_seconds if self.wall_seconds > 0 else 0.0

    @property
    def real_time_factor(self) -> float:
        """Seconds of audio produced per wall-clock second."""
        return self.audio_seconds / self.wall_seconds if self.wall_seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "root": str(self.root),
            "planned": self.planned,
            "already_done": self.already_done,
            "made": self.made,
            "failed": [{"render_id": f.render_id, "error": f.error} for f in self.failures],
            "wall_seconds": self.wall_seconds,
            **{key: getattr(self, key) for key in self.TIMING_KEYS},
            "workers": self.workers,
            "collected": self.collected,
        }


@frozen
class JobsRun:
    """The rows the jobs made (in the order they finished), their failures and the wall time (s)."""

    made: tuple[ManifestRow, ...]
    failures: tuple[JobFailure, ...]
    wall_seconds: float


def run_render_jobs(
    function: Callable[..., ManifestRow | JobFailure],
    calls: Sequence[tuple[Any, ...]],
    render_ids: Sequence[str],
    *,
    workers: int,
    total: int,
    progress: bool,
    desc: str,
    on_done: Callable[[ManifestRow], None] | None = None,
    executor: Executor | None = None,
    seconds: Sequence[float] | None = None,
) -> JobsRun:
    """``function(*call)`` for every call (``render_ids`` name them, for a worker lost on one) on
    ``executor`` (default: ``workers`` local processes), the longest renders (``seconds`` of
    audio) first; the progress bar counts ``total`` renders, the ones not in ``calls`` already done."""
    from mirloop.executors import TaskLost, executor_for
    from mirloop.executors.progress import CostBar

    made: list[ManifestRow] = []
    failures: list[JobFailure] = []
    bar = CostBar(
        total=total,
        initial=total - len(calls),
        unit="render",
        desc=desc,
        disable=not progress,
        smoothing=0.1,
        dynamic_ncols=True,
        total_cost=sum(seconds or ()),
    )
    started = time.perf_counter()

    def record(outcome: ManifestRow | JobFailure, cost: float) -> None:
        if isinstance(outcome, JobFailure):
            failures.append(outcome)
            bar.set_postfix_str(f"{len(failures)} failed", refresh=False)
        else:
            made.append(outcome)
            if on_done is not None:
                on_done(outcome)
        bar.done(cost)

    try:
        with executor_for(executor, workers) as runner:
            for index, outcome in runner.run(function, calls, ids=render_ids, costs=seconds):
                lost = isinstance(outcome, TaskLost)
                record(JobFailure(render_ids[index], outcome.error) if lost else outcome,
                       seconds[index] if seconds else 0.0)
    finally:
        bar.close()
    return JobsRun(tuple(made), tuple(failures), time.perf_counter() - started)
