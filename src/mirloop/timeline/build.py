"""Builders for the two timelines the feedback loop renders: one region, or several in a row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from mirloop.errors import DescriptorError, TimelineError
from mirloop.timeline.document import Action, AddRegion, KeySignature, Shape, Span, Timeline, validate
from mirloop.timeline.tonic import from_pitch_name, is_tonic
from mirloop.types import Descriptor, Key

if TYPE_CHECKING:
    from mirloop.catalog import Catalog

KeyLike = Key | KeySignature | str | None
#: ``(start, end, descriptor)`` or ``(start, end, descriptor, tempo, key)``; seconds, BPM.
RegionSpec = tuple[Any, ...]


def key_signature(key: KeyLike) -> KeySignature | None:
    """A timeline key from a :class:`~mirloop.types.Key`, a ``KeySignature`` or a string.

    Strings: ``"bes"``, ``"bes major"``, ``"A:minor"`` or ``"F# minor"`` (pitch names or LilyPond).
    """
    if key is None or isinstance(key, KeySignature):
        return key
    if isinstance(key, Key):
        return KeySignature(tonic=from_pitch_name(key.tonic), quality=key.mode)
    tonic, _, rest = key.replace(":", " ").partition(" ")
    quality = rest.strip().lower() or None
    if not is_tonic(tonic):
        try:
            tonic = from_pitch_name(tonic.capitalize())
        except ValueError:
            raise TimelineError(f"key {key!r}: {tonic!r} is neither a LilyPond tonic nor a pitch name"
                                ) from None
    return KeySignature(tonic=tonic.lower(), quality=quality)


def _lookup(catalog: Catalog, descriptor: Descriptor | str, index: int) -> Descriptor:
    if isinstance(descriptor, Descriptor):
        return descriptor
    try:
        return catalog.get(descriptor)
    except DescriptorError as exc:
        raise TimelineError(f"region {index}: {exc}") from None


def _name(descriptor: Descriptor | str) -> str:
    return descriptor.name if isinstance(descriptor, Descriptor) else descriptor


def _start_of(regions: Sequence[RegionSpec], index: int) -> float | None:
    """Start (s) of region ``index``; ``None`` past the end or for a spec the loop refuses later."""
    if index >= len(regions) or not regions[index]:
        return None
    return float(regions[index][0])


def _region(descriptor: Descriptor | str, key: KeyLike, *, region_id: int | None, ending: str,
            ringout_at: float | None, shape: Shape | None, random_tempo: bool,
            random_instruments: bool) -> AddRegion:
    if ending not in ("ringout", "cut"):
        raise TimelineError(f"ending {ending!r} is not 'ringout' or 'cut'")
    return AddRegion(
        descriptor=_name(descriptor), id=region_id, key=key_signature(key),
        cut_at=0.0 if ending == "cut" else None, ringout_at=ringout_at if ending == "ringout" else None,
        random_tempo=random_tempo, random_instruments=random_instruments, shape=shape,
    )


def single_region(
    descriptor: Descriptor | str,
    duration: float,
    *,
    tempo: float | None = None,
    key: KeyLike = None,
    band: str | None = None,
    instruments: Sequence[str] = (),
    ending: str = "ringout",
    ringout_at: float | None = None,
    shape: Shape | None = None,
    random_tempo: bool = False,
    random_instruments: bool = False,
    seed: int | None = None,
    catalog: Catalog | None = None,
    strict: bool = False,
) -> Timeline:
    """A timeline of one region of ``descriptor`` lasting ``duration`` seconds.

    ``tempo`` in BPM (default: the middle of the descriptor's range); ``band`` or ``instruments``
    name instrument groups of the descriptor; ``ending`` is ``"ringout"`` (at ``ringout_at``
    seconds, default 2 s before the end) or ``"cut"``. The result is validated.
    """
    if duration <= 0:
        raise TimelineError(f"duration {duration!r} must be > 0 seconds")
    groups = ((band,) if band else ()) + tuple(instruments)
    region = _region(descriptor, key, region_id=1, ending=ending, ringout_at=ringout_at, shape=shape,
                     random_tempo=random_tempo, random_instruments=random_instruments)
    spans = (
        Span(time=0.0, type="metered", tempo=tempo, id=1, instrument_groups=groups,
             actions=(Action(time=0.0, add_region=region),)),
        Span(time=float(duration), type="unmetered"),
    )
    return validate(Timeline(spans=spans, random_seed=seed), catalog=catalog, strict=strict)


def multi_region(
    regions: Sequence[RegionSpec],
    *,
    band: str | None = None,
    ending: str = "ringout",
    joined: bool = False,
    random_instruments: bool = False,
    seed: int | None = None,
    catalog: Catalog | None = None,
    strict: bool = False,
) -> Timeline:
    """A "stitched" timeline: one metered span per region, in order; gaps become silence.

    Each item is ``(start, end, descriptor)`` or ``(start, end, descriptor, tempo, key)`` with times
    in seconds and tempo in BPM (``None``: the middle of that descriptor's range, not the previous
    region's tempo). Regions must not overlap.
    ``band`` applies to every region (it must exist for each descriptor). ``ending`` is the last
    region's ending, and every region's unless ``joined``. ``joined`` plays the regions as sections
    of one piece: a region followed by the next without a gap is cut there with no outro, and a
    region that follows one without a gap has no intro; the first intro and the last ending stay
    the descriptors' own. The result is validated.
    """
    if not regions:
        raise TimelineError("multi_region needs at least one region")
    if catalog is None:
        from mirloop.catalog import load_catalog

        catalog = load_catalog()
    spans: list[Span] = []
    previous_end: float | None = None
    for index, spec in enumerate(regions):
        if len(spec) not in (3, 5):
            raise TimelineError(f"region {index}: expected (start, end, descriptor[, tempo, key]), "
                                f"got {spec!r}")
        start, end, descriptor = float(spec[0]), float(spec[1]), spec[2]
        tempo, key = (spec[3], spec[4]) if len(spec) == 5 else (None, None)
        if end <= start:
            raise TimelineError(f"region {index}: end {end:g} s is not after start {start:g} s")
        if previous_end is not None and start < previous_end:
            raise TimelineError(f"region {index}: starts at {start:g} s, before the previous region ends "
                                f"({previous_end:g} s); regions must not overlap")
        if previous_end is not None and start > previous_end:
            spans.append(Span(time=previous_end, type="unmetered"))
        if tempo is None:  # each region gets its descriptor's default, not the previous tempo
            lo, hi = _lookup(catalog, descriptor, index).style.tempo_range
            tempo = round((lo + hi) / 2, 1)
        follows = joined and previous_end is not None and start == previous_end
        leads = joined and _start_of(regions, index + 1) == end
        shape = None
        if follows or leads:
            shape = Shape(intro=0.0 if follows else None, ending=0.0 if leads else None)
        region = _region(descriptor, key, region_id=index + 1, ending="cut" if leads else ending,
                         ringout_at=None, shape=shape, random_tempo=False,
                         random_instruments=random_instruments)
        spans.append(Span(time=start, type="metered", tempo=None if tempo is None else float(tempo),
                          id=index + 1, instrument_groups=(band,) if band else (),
                          actions=(Action(time=0.0, add_region=region),)))
        previous_end = end
    assert previous_end is not None
    spans.append(Span(time=previous_end, type="unmetered"))
    return validate(Timeline(spans=tuple(spans), random_seed=seed), catalog=catalog, strict=strict)
