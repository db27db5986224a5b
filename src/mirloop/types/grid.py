"""The analysis grid: 10-s windows with a 2-s hop, shared by every per-window estimate."""

from __future__ import annotations

import numpy as np
from attrs import field, frozen

from mirloop.errors import InvalidValueError

WINDOW_SECONDS = 10.0
HOP_SECONDS = 2.0


def _positive(_: object, attribute: object, value: float) -> None:
    if value <= 0:
        raise InvalidValueError(f"{attribute.name} must be positive, got {value}")  # type: ignore[attr-defined]


@frozen
class Grid:
    """Window start times over a track of ``duration`` seconds.

    A track shorter than one window gets a single window covering all of it
    (``Grid.windows`` is never empty for a positive duration). Window ``i`` spans
    ``[starts[i], starts[i] + window)`` clipped to the track.
    """

    duration: float = field(validator=_positive, metadata={"doc": "length of the track, seconds"})
    window: float = field(default=WINDOW_SECONDS, validator=_positive, metadata={"doc": "window length, s"})
    hop: float = field(default=HOP_SECONDS, validator=_positive, metadata={"doc": "hop between windows, s"})

    @property
    def n_windows(self) -> int:
        """Number of windows (at least 1)."""
        if self.duration <= self.window:
            return 1
        return int(np.floor((self.duration - self.window) / self.hop + 1e-9)) + 1

    @property
    def starts(self) -> np.ndarray:
        """Window start times in seconds."""
        return np.arange(self.n_windows, dtype=np.float64) * self.hop

    @property
    def ends(self) -> np.ndarray:
        """Window end times in seconds (clipped to the track)."""
        return np.minimum(self.starts + self.window, self.duration)

    @property
    def centers(self) -> np.ndarray:
        """Window centre times in seconds."""
        return (self.starts + self.ends) / 2.0

    def window_of(self, time: float) -> int:
        """Index of the window whose hop cell ``[start, start + hop)`` contains ``time``."""
        return int(np.clip(np.floor(time / self.hop), 0, self.n_windows - 1))
