"""How a server runs: where its data lives, its pool and queue sizes, limits, keys and faults."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path

from attrs import field, frozen

from mirloop.errors import ConfigError

#: Environment variable holding the accepted API keys, comma-separated (empty or unset: no auth).
API_KEYS_ENV = "MIRLOOP_SERVE_API_KEYS"
#: Environment variable of the fault-injection setting (see :class:`Faults`).
FAULTS_ENV = "MIRLOOP_SERVE_FAULTS"


def _keys(values: object) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = values.split(",")
    return tuple(k.strip() for k in values if k and k.strip())  # type: ignore[attr-defined]


@frozen
class Faults:
    """Faults the server injects on purpose, for testing clients against a misbehaving server.

    ``error_rate`` is the share of API requests answered with a 500 before they are handled,
    ``delay`` the seconds every API request waits before it is handled, ``fail_renders`` the
    share of render jobs whose worker fails them (status ``FAILED_CREATE``), ``render_delay`` the
    seconds a render job waits in ``RUNNING_COMPOSE`` (to catch a job mid-way). All 0 by default.
    Written as ``error_rate=0.5,delay=0.2`` in ``MIRLOOP_SERVE_FAULTS``. The shares are spread
    evenly and the same on every run (:func:`faulty`): at 0.33 every third request fails, so a
    client's retries are exercised every time, never by luck.
    """

    error_rate: float = 0.0
    delay: float = 0.0
    fail_renders: float = 0.0
    render_delay: float = 0.0

    @classmethod
    def parse(cls, text: str | None) -> Faults:
        """Faults from ``name=value,...`` text (``None`` or empty: none)."""
        values: dict[str, float] = {}
        for item in (text or "").split(","):
            if not item.strip():
                continue
            name, sep, value = item.partition("=")
            name = name.strip()
            if not sep or name not in _FAULT_NAMES:
                raise ConfigError(
                    f"{FAULTS_ENV}: cannot read {item.strip()!r}; write name=value with names "
                    f"{', '.join(_FAULT_NAMES)}, e.g. error_rate=0.2,delay=0.5"
                )
            try:
                number = float(value)
            except ValueError:
                raise ConfigError(f"{FAULTS_ENV}: {name}={value!r} is not a number") from None
            if not 0 <= number < float("inf"):
                raise ConfigError(f"{FAULTS_ENV}: {name}={value!r} must be a finite number ≥ 0")
            values[name] = number
        return cls(**values)

    @property
    def any(self) -> bool:
        return any((self.error_rate, self.delay, self.fail_renders, self.render_delay))


_FAULT_NAMES = ("error_rate", "delay", "fail_renders", "render_delay")


def faulty(index: int, share: float) -> bool:
    """Whether event ``index`` (0, 1, …) of a stream gets a fault injected at ``share``: the
    faults are spread evenly, ``⌊n · share⌋`` of the first ``n`` events (``share`` ≥ 1: all)."""
    return math.floor((index + 1) * share) > math.floor(index * share)


@frozen
class ServeSettings:
    """Everything a server needs; :meth:`from_env` reads keys and faults from the environment.

    ``data`` is the folder that holds the SQLite database (``mirloop.db``), uploads
    (``files/``), job outputs (``jobs/``) and temporary files (``tmp/``). ``workers`` worker
    processes run jobs; at most ``queue_limit`` jobs wait or run at once (more are refused with
    429). ``max_upload_mb`` bounds an upload; ``max_attempts`` is how often a job interrupted by
    a server stop is started again before it is marked failed. ``api_keys`` empty: no auth.
    ``renderer`` maps renderer options over the configuration's ``[renderer]`` table (a
    ``backend`` key picks the backend). ``warm_up`` starts every worker with one short render,
    so that the first job does not pay for loading the SoundFont and compiled code.
    """

    data: Path = field(converter=Path)
    workers: int = 2
    queue_limit: int = 32
    max_upload_mb: float = 100.0
    max_attempts: int = 2
    api_keys: tuple[str, ...] = field(default=(), converter=_keys)
    faults: Faults = Faults()
    renderer: Mapping[str, object] = field(factory=dict)
    config_path: str | None = None
    warm_up: bool = True

    def __attrs_post_init__(self) -> None:
        if self.workers < 1:
            raise ConfigError(f"workers must be at least 1, got {self.workers}")
        if self.queue_limit < 1:
            raise ConfigError(f"the queue limit must be at least 1, got {self.queue_limit}")
        if not self.max_upload_mb > 0:
            raise ConfigError(f"the upload limit must be positive, got {self.max_upload_mb} MB")

    @classmethod
    def from_env(cls, data: str | os.PathLike[str], **overrides: object) -> ServeSettings:
        """Settings for ``data`` with API keys and faults from the environment, then ``overrides``."""
        values: dict[str, object] = {
            "api_keys": os.environ.get(API_KEYS_ENV, ""),
            "faults": Faults.parse(os.environ.get(FAULTS_ENV)),
        }
        values.update(overrides)
        return cls(Path(data), **values)  # type: ignore[arg-type]

    @property
    def database(self) -> Path:
        return self.data / "mirloop.db"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)
