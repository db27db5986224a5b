"""Turning a validated timeline into :class:`~mirloop.timeline.region.Region` values.

A region starts at its ``add_region`` and lasts until the next ``add_region`` (a ``"silence"``
region only ends the previous one) or the next unmetered span. Tempo and instruments carry over
from earlier spans and actions; changes inside a region are listed on it. Defaults: tempo = middle
of the descriptor's range; instruments = the descriptor's first band; key = the previous region's
tonic (else C) with the quality of the descriptor's first scale; ending = ring-out 2 s before the
region's end; shape = the descriptor's ``intro``/``ending``/``climax`` fractions.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

from attrs import define, field

from mirloop.catalog.resolve import MAJOR_LIKE
from mirloop.errors import DescriptorError, TimelineError
from mirloop.timeline.parts import ALL, Action
from mirloop.timeline.region import CUT, RINGOUT, Region, RegionShape
from mirloop.timeline.schema import json_path
from mirloop.timeline.tonic import to_pitch_name
from mirloop.timeline.validate import TimelineWarning, check_structure
from mirloop.types import Descriptor, Instrument, Key

if TYPE_CHECKING:
    from mirloop.catalog import Catalog
    from mirloop.timeline.document import Timeline

Path = list[str | int]
RINGOUT_SECONDS = 2.0


@define
class _State:
    """What is in effect while walking the timeline."""

    tempo: float | None = None
    tempo_path: Path = field(factory=list)
    groups: list[tuple[str, Path]] = field(factory=list)
    threshold: float = 1.0


@define
class _Open:
    """A region being collected."""

    start: float
    action: Action
    span_start: float
    path: Path
    state: _State
    tempo_changes: list[tuple[float, float, Path]] = field(factory=list)
    group_changes: list[tuple[float, list[tuple[str, Path]]]] = field(factory=list)


def resolve_regions(
    timeline: Timeline, *, catalog: Catalog | None = None, strict: bool = False, checked: bool = False
) -> tuple[Region, ...]:
    """The regions of ``timeline`` in time order; see the module docstring for the defaults."""
    if not checked:
        check_structure(timeline)
    if catalog is None:
        from mirloop.catalog import load_catalog

        catalog = load_catalog()
    state = _State()
    current: _Open | None = None
    regions: list[Region] = []
    previous_tonic: str | None = None

    def close(at: float) -> None:
        nonlocal current, previous_tonic
        if current is not None:
            region = _build(current, at, catalog, strict, previous_tonic)
            previous_tonic = region.key.tonic
            regions.append(region)
        current = None

    spans = timeline.spans
    for i, span in enumerate(spans):
        if not span.metered:
            close(span.time)
            continue
        if span.tempo is not None:
            _set_tempo(state, current, span.time, span.tempo, ["spans", i, "tempo"])
        if span.instrument_groups:
            groups: list[tuple[str, Path]] = [
                (g, ["spans", i, "instrument_groups", k]) for k, g in enumerate(span.instrument_groups)
            ]
            _set_groups(state, current, span.time, groups)
        for j, action in enumerate(span.actions):
            at = span.time + action.time
            where: Path = ["spans", i, "actions", j]
            if action.set_tempo is not None:
                _set_tempo(state, current, at, action.set_tempo, [*where, "set_tempo"])
            _apply_instrument_actions(state, current, at, action, where)
            if action.add_region is not None:
                close(at)
                if not action.add_region.silence:
                    snapshot = _State(state.tempo, list(state.tempo_path), list(state.groups),
                                      state.threshold)
                    current = _Open(at, action, span.time, [*where, "add_region"], snapshot)
    close(timeline.duration)
    return tuple(regions)


def _set_tempo(state: _State, current: _Open | None, at: float, bpm: float, path: Path) -> None:
    state.tempo, state.tempo_path = bpm, path
    if current is not None and at > current.start:
        current.tempo_changes.append((at, bpm, path))
    elif current is not None:
        current.state.tempo, current.state.tempo_path = bpm, path


def _set_groups(state: _State, current: _Open | None, at: float, groups: list[tuple[str, Path]]) -> None:
    state.groups = groups
    if current is not None and at > current.start:
        current.group_changes.append((at, list(groups)))
    elif current is not None:
        current.state.groups = list(groups)


def _apply_instrument_actions(
    state: _State, current: _Open | None, at: float, action: Action, where: Path
) -> None:
    groups = list(state.groups)
    changed = False
    if action.set_instruments is not None:
        groups = [(g, [*where, "set_instruments", k]) for k, g in enumerate(action.set_instruments)]
        threshold = action.instrumentation_threshold
        state.threshold = 1.0 if threshold is None else threshold
        changed = True
    if action.add_instruments is not None:
        present = {g for g, _ in groups}
        groups += [(g, [*where, "add_instruments", k]) for k, g in enumerate(action.add_instruments)
                   if g not in present]
        changed = True
    if action.silence_instruments is not None:
        silenced = action.silence_instruments
        groups = [] if silenced == ALL else [(g, p) for g, p in groups if g not in silenced]
        changed = True
    if changed:
        _set_groups(state, current, at, groups)
        if current is not None and at <= current.start:
            current.state.threshold = state.threshold


def _descriptor(open_: _Open, catalog: Catalog) -> Descriptor:
    region = open_.action.add_region
    assert region is not None and region.descriptor is not None
    try:
        return catalog.get(region.descriptor)
    except DescriptorError as exc:
        raise TimelineError(f"{json_path([*open_.path, 'descriptor'])}: {exc}") from None


def _fit_tempo(bpm: float | None, descriptor: Descriptor, path: Path, strict: bool) -> float:
    lo, hi = descriptor.style.tempo_range
    if bpm is None:
        return round((lo + hi) / 2, 1)
    if lo <= bpm <= hi:
        return bpm
    if strict:
        raise TimelineError(f"{json_path(path)}: {bpm:g} BPM is outside the tempo range of {descriptor.name} "
                            f"({lo:g}–{hi:g} BPM); choose a tempo inside it (without strict it is clamped)")
    fitted = min(hi, max(lo, bpm))
    warnings.warn(f"{json_path(path)}: {bpm:g} BPM is outside the tempo range of {descriptor.name} "
                  f"({lo:g}–{hi:g} BPM); clamped to {fitted:g}", TimelineWarning, stacklevel=6)
    return fitted


def _instruments(
    groups: list[tuple[str, Path]], descriptor: Descriptor
) -> tuple[tuple[Instrument, ...], str | None]:
    """The instruments that ``groups`` (band or instrument names) stand for, and the band name."""
    bands = {b.name: b for b in descriptor.style.bands}
    by_name: dict[str, Instrument] = {}
    for each in descriptor.style.bands:
        for instrument in each.instruments:
            by_name.setdefault(instrument.name, instrument)
    if not groups:
        first = descriptor.style.bands[0]
        return first.instruments, first.name
    out: list[Instrument] = []
    for name, path in groups:
        if name in bands:
            out += [i for i in bands[name].instruments if i not in out]
        elif name in by_name:
            if by_name[name] not in out:
                out.append(by_name[name])
        else:
            choices = ", ".join(sorted(bands)) + "; instruments: " + ", ".join(sorted(by_name))
            raise TimelineError(f"{json_path(path)}: {name!r} is not a band or instrument of "
                                f"{descriptor.name}; bands: {choices}")
    band = groups[0][0] if len(groups) == 1 and groups[0][0] in bands else None
    return tuple(out), band


def _key(open_: _Open, descriptor: Descriptor, previous_tonic: str | None) -> Key:
    region = open_.action.add_region
    assert region is not None
    given = region.key
    quality = given.quality if given is not None and given.quality else None
    if quality is None:
        quality = "major" if descriptor.style.scales[0] in MAJOR_LIKE else "minor"
    tonic = to_pitch_name(given.tonic) if given is not None and given.tonic else previous_tonic or "C"
    return Key(tonic=tonic, mode=quality)


def _build(open_: _Open, end: float, catalog: Catalog, strict: bool, previous_tonic: str | None) -> Region:
    region = open_.action.add_region
    assert region is not None
    if end <= open_.start:
        raise TimelineError(f"{json_path(open_.path)}: the region starting at {open_.start:g} s has no "
                            f"length; the next region or span starts at the same time")
    descriptor = _descriptor(open_, catalog)
    style = descriptor.style
    duration = end - open_.start
    tempo = _fit_tempo(open_.state.tempo, descriptor, open_.state.tempo_path, strict)
    # Changes made at the region's end belong to whatever comes next.
    changes = tuple((at, _fit_tempo(bpm, descriptor, path, strict))
                    for at, bpm, path in open_.tempo_changes if at < end)
    instruments, band = _instruments(open_.state.groups, descriptor)
    instrument_changes = tuple((at, _instruments(groups, descriptor)[0])
                               for at, groups in open_.group_changes if at < end)
    if region.cut_at is not None:
        ending, ringout_at = CUT, None
    elif region.ringout_at is not None:
        ending, ringout_at = RINGOUT, open_.span_start + region.ringout_at
        if not open_.start <= ringout_at <= end:
            raise TimelineError(
                f"{json_path([*open_.path, 'ringout_at'])}: {region.ringout_at:g} s after the span start is "
                f"{ringout_at:g} s, outside its region ({open_.start:g}–{end:g} s); ringout_at counts "
                f"seconds from the span start")
    else:
        ending, ringout_at = RINGOUT, max(open_.start, end - RINGOUT_SECONDS)
    shape = region.shape
    intro = shape.intro if shape is not None and shape.intro is not None else style.intro * duration
    outro = shape.ending if shape is not None and shape.ending is not None else style.ending * duration
    climax = shape.climax if shape is not None and shape.climax is not None else style.climax
    if intro + outro > duration:
        raise TimelineError(f"{json_path([*open_.path, 'shape'])}: intro ({intro:g} s) and ending "
                            f"({outro:g} s) are longer than the region ({duration:g} s); shorten them")
    return Region(
        start=open_.start,
        end=end,
        descriptor=descriptor,
        tempo=tempo,
        key=_key(open_, descriptor, previous_tonic),
        instruments=instruments,
        ending=ending,
        shape=RegionShape(intro=round(intro, 3), ending=round(outro, 3), climax=climax),
        id=region.id,
        band=band,
        instrument_groups=tuple(g for g, _ in open_.state.groups) or ((band,) if band else ()),
        ringout_at=ringout_at,
        random_tempo=region.random_tempo,
        random_instruments=region.random_instruments,
        instrumentation_threshold=open_.state.threshold,
        tempo_changes=changes,
        instrument_changes=instrument_changes,
    )
