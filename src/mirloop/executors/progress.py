"""Progress of a batch on the terminal: tasks done of the total, the rate and ETA, and failures.

Batches start their costliest tasks first (:meth:`mirloop.executors.base.Executor.run`), so the
tasks done early are slower than the average one; a bar given the tasks' costs counts tasks but
estimates the time left from the share of the *cost* done (:class:`CostBar`), which a rate of
tasks per second would overstate until the short tasks come.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

from tqdm import tqdm

#: tqdm's own layout, with the time left from :class:`CostBar`.
BAR_FORMAT = "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{left}, {rate_fmt}{postfix}]"


class CostBar(tqdm):
    """A tqdm bar over tasks that estimates the time left as the time so far times the cost
    left over the cost done (``total_cost``: the cost of the tasks this bar waits for; each
    :meth:`done` adds one task's). Without costs, or before the first, the time left is tqdm's."""

    def __init__(self, *args: Any, total_cost: float = 0.0, **kwargs: Any) -> None:
        self.total_cost = float(total_cost)
        self.done_cost = 0.0
        kwargs.setdefault("bar_format", BAR_FORMAT)
        super().__init__(*args, **kwargs)

    def done(self, cost: float = 0.0) -> None:
        """One more task finished, which cost ``cost``."""
        self.done_cost += cost
        self.update(1)

    @property
    def format_dict(self) -> MutableMapping[str, Any]:
        values = super().format_dict
        seconds = self.seconds_left(values)
        values["left"] = "?" if seconds is None else self.format_interval(seconds)
        return values

    def seconds_left(self, values: Mapping[str, Any]) -> float | None:
        """The time left (s): by cost when costs are known, else at tqdm's rate of tasks."""
        elapsed, total, n, initial = (values.get(key) or 0 for key in ("elapsed", "total", "n", "initial"))
        if self.total_cost > 0 and self.done_cost > 0:
            return float(elapsed) * max(self.total_cost - self.done_cost, 0.0) / self.done_cost
        rate = values.get("rate") or ((n - initial) / elapsed if elapsed and n > initial else None)
        return (total - n) / rate if rate and total else None


class TaskProgress:
    """A bar over ``total`` tasks (``initial`` already done by an earlier run) on stderr; shows
    ``done/total``, the time left (by the tasks' ``costs`` when given) and, once any fails, the
    failure count."""

    def __init__(self, total: int, *, initial: int = 0, unit: str = "task", desc: str = "",
                 enabled: bool = True, costs: Sequence[float] = ()) -> None:
        self.failed = 0
        self.bar = CostBar(total=total, initial=initial, unit=unit, desc=desc or None, file=sys.stderr,
                           disable=not enabled, dynamic_ncols=True, smoothing=0.1, total_cost=sum(costs))

    def update(self, *, ok: bool, cost: float = 0.0) -> None:
        """One more task finished (``ok`` false: it failed), which cost ``cost``."""
        if not ok:
            self.failed += 1
            self.bar.set_postfix_str(f"{self.failed} failed", refresh=False)
        self.bar.done(cost)

    def close(self) -> None:
        self.bar.close()

    def __enter__(self) -> TaskProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
