"""Progress of a batch on the terminal: tasks done of the total, the rate and ETA, and failures."""

from __future__ import annotations

import sys
from typing import Any


class TaskProgress:
    """A bar over ``total`` tasks (``initial`` already done by an earlier run) on stderr; shows
    ``done/total``, the time left at the current rate and, once any fails, the failure count."""

    def __init__(self, total: int, *, initial: int = 0, unit: str = "task", desc: str = "",
                 enabled: bool = True) -> None:
        from tqdm import tqdm

        self.failed = 0
        self.bar: Any = tqdm(total=total, initial=initial, unit=unit, desc=desc or None, file=sys.stderr,
                             disable=not enabled, dynamic_ncols=True, smoothing=0.1)

    def update(self, *, ok: bool) -> None:
        """One more task finished (``ok`` false: it failed)."""
        if not ok:
            self.failed += 1
            self.bar.set_postfix_str(f"{self.failed} failed", refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()

    def __enter__(self) -> TaskProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
