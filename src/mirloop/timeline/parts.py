"""The parts of an Amper-style timeline, exactly as written in its JSON: spans, their actions,
regions, keys and shapes. Plain data: this module imports nothing else of the timeline package,
so every other module of it (the codec, the checks, the resolution into regions) can build on it.

Times are seconds: a span's ``time`` from the start of the piece, an action's ``time`` (and
``ringout_at``) from the start of its span, as in Amper's format. Tempi are BPM.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from attrs import field, frozen

METERED, UNMETERED = "metered", "unmetered"
ALL = "all"


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _names(values: Any) -> tuple[str, ...]:
    return tuple(values)


def _optional_names(values: Any) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def _silence(values: Any) -> tuple[str, ...] | str | None:
    if values is None or values == ALL:
        return None if values is None else ALL
    return tuple(values)


def _actions(values: Iterable[Action]) -> tuple[Action, ...]:
    return tuple(values)


@frozen
class KeySignature:
    """``key`` of an ``add_region``: a LilyPond ``tonic`` (``"bes"``) and ``quality`` (major/minor).

    Either may be omitted; the region then keeps the previous key or takes the descriptor's.
    """

    tonic: str | None = None
    quality: str | None = None


@frozen
class Shape:
    """Score-app shape controls of a region (a mirloop extension of the format).

    ``intro`` and ``ending`` are lengths in seconds; ``climax`` is where the climax falls, as a
    fraction 0–1 of the region. ``None`` takes the descriptor's default.
    """

    intro: float | None = None
    ending: float | None = None
    climax: float | None = None


@frozen
class AddRegion:
    """Start a region of ``descriptor`` (``None`` for a silence region).

    ``cut_at`` ends the region abruptly at its end (Amper ignores the number itself);
    ``ringout_at`` (seconds after the span start) starts a final ringing note; with neither, the
    ring-out starts 2 s before the region's end. ``random_tempo``/``random_instruments`` let the
    renderer draw a tempo / a band from the descriptor with the timeline's seed.
    """

    descriptor: str | None
    id: int | None = None
    key: KeySignature | None = None
    cut_at: float | None = None
    ringout_at: float | None = None
    random_tempo: bool = False
    random_instruments: bool = False
    shape: Shape | None = None

    @property
    def silence(self) -> bool:
        return self.descriptor is None


@frozen
class Action:
    """Changes at ``time`` seconds after the span start; any combination of the optional fields.

    ``set_instruments`` replaces the active instrument groups (``instrumentation_threshold``:
    share 0–1 of them that plays), ``add_instruments`` adds, ``silence_instruments`` removes
    (or ``"all"``).
    """

    time: float = field(converter=float)
    add_region: AddRegion | None = None
    set_tempo: float | None = field(default=None, converter=_optional_float)
    set_instruments: tuple[str, ...] | None = field(default=None, converter=_optional_names)
    instrumentation_threshold: float | None = None
    add_instruments: tuple[str, ...] | None = field(default=None, converter=_optional_names)
    silence_instruments: tuple[str, ...] | str | None = field(default=None, converter=_silence)


@frozen
class Span:
    """A span from ``time`` (seconds) to the next span; ``type`` is ``metered`` or ``unmetered``.

    ``tempo`` (BPM) and ``instrument_groups`` (band or instrument names) apply from the span's
    start; ``actions`` happen inside it. The last span of a timeline is unmetered and ends it.
    """

    time: float = field(converter=float)
    type: str = METERED
    tempo: float | None = field(default=None, converter=_optional_float)
    id: int | None = None
    instrument_groups: tuple[str, ...] = field(default=(), converter=_names)
    actions: tuple[Action, ...] = field(default=(), converter=_actions)

    @property
    def metered(self) -> bool:
        return self.type == METERED
