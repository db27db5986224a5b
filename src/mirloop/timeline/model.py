"""Value types of an Amper-style timeline, exactly as written in its JSON.

Times are seconds: a span's ``time`` from the start of the piece, an action's ``time`` (and
``ringout_at``) from the start of its span, as in Amper's format. Tempi are BPM. Use
:meth:`Timeline.from_json` to read and validate, :meth:`Timeline.to_json` to write, and
:meth:`Timeline.regions` for the resolved regions a renderer plays.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

if TYPE_CHECKING:
    from mirloop.catalog import Catalog
    from mirloop.timeline.region import Region

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


def _spans(values: Iterable[Span]) -> tuple[Span, ...]:
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


@frozen
class Timeline:
    """A render request: spans in increasing time order, the last one unmetered.

    ``random_seed`` seeds every random choice of the renderer; ``meta`` is user data carried along.
    """

    spans: tuple[Span, ...] = field(converter=_spans)
    random_seed: int | None = None
    meta: dict[str, Any] | None = field(default=None, hash=False)

    @property
    def duration(self) -> float:
        """Seconds from 0 to the final span (the end of the piece)."""
        return self.spans[-1].time if self.spans else 0.0

    @classmethod
    def from_json(
        cls, data: dict[str, Any] | str | Path, *, catalog: Catalog | None = None, strict: bool = False
    ) -> Timeline:
        """Read a timeline from a dict, a JSON string or a path, and validate it.

        Accepts the timeline object or ``{"timeline": {...}}``. Validation is the JSON Schema
        (``mirloop/data/timeline.schema.json``) plus checks against ``catalog`` (default: the
        loaded catalog); see :func:`mirloop.timeline.validate`. Raises
        :class:`~mirloop.errors.TimelineError` naming the JSON path of the first problem.
        """
        from mirloop.timeline.codec import parse
        from mirloop.timeline.validate import validate

        timeline = parse(data)
        validate(timeline, catalog=catalog, strict=strict)
        return timeline

    def to_json(self, *, wrap: bool = False) -> dict[str, Any]:
        """The timeline as a JSON-ready dict (``{"timeline": ...}`` with ``wrap=True``)."""
        from mirloop.timeline.codec import dump

        out = dump(self)
        return {"timeline": out} if wrap else out

    def dumps(self, *, indent: int | None = 2) -> str:
        """The timeline as a JSON string."""
        import json

        return json.dumps(self.to_json(), indent=indent)

    def regions(self, *, catalog: Catalog | None = None, strict: bool = False) -> tuple[Region, ...]:
        """The resolved regions to render, in time order (see :class:`mirloop.timeline.Region`).

        Tempi outside a descriptor's range are clamped with a :class:`TimelineWarning`, or refused
        with :class:`~mirloop.errors.TimelineError` when ``strict``.
        """
        from mirloop.timeline.resolve import resolve_regions

        return resolve_regions(self, catalog=catalog, strict=strict)
