"""Resolving a descriptor: subgenre constraints ⊕ mood modifiers -> :class:`~mirloop.types.Style`.

Rules (all values documented in ``moods.toml`` and ``catalog.schema.json``):

- tempo: the mood's slice ``[a, b]`` of the subgenre range ``[lo, hi]`` gives
  ``[lo + a(hi-lo), lo + b(hi-lo)]``, widened to at least :data:`MIN_TEMPO_SPAN` BPM inside the range;
- scales: the mood's preferred scales that the subgenre allows, best first; if none is allowed,
  the mood's preferences as they are (the mood decides the mode);
- progressions: the subgenre's ``major`` list when the first scale is major-like
  (:data:`MAJOR_LIKE`), else its ``minor`` list;
- density, dissonance, dynamics: subgenre value + mood delta, clamped (density and dynamics to
  0.05–1, dissonance to 0–1); harmonic rhythm: subgenre bars per chord × mood factor;
- register: both ends shifted by the mood's semitones, kept inside the piano range 21–108;
- articulation: the mood's if it sets one, else the subgenre's; ``open_harmony``: the mood's;
- rhythm: each mood plays one of the subgenre's drum patterns — the k-th mood (in list order) at a
  given momentum plays pattern ``k mod n`` (see :func:`mood_rhythms`), so sibling moods that share
  a momentum have grooves of their own whenever the subgenre has enough patterns.

Descriptor ids are derived from the name, so they are stable across releases and machines:
``id = CRC-32(name, UTF-8) & 0x7FFFFFFF`` (see :func:`descriptor_id`).
"""

from __future__ import annotations

import zlib
from typing import Any

from mirloop.catalog.mood import Mood
from mirloop.catalog.rhythm import parse_rhythm
from mirloop.errors import DescriptorError
from mirloop.types import Band, Descriptor, Instrument, Style

MAJOR_LIKE = frozenset({"major", "lydian", "mixolydian", "pentatonic_major"})
MIN_TEMPO_SPAN = 6.0  # BPM
PIANO_RANGE = (21, 108)  # MIDI notes A0–C8


def descriptor_id(name: str) -> int:
    """The stable id of a descriptor name: CRC-32 of its UTF-8 bytes, 31 bits."""
    return zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF


def descriptor_name(genre: str, subgenre: str, mood: str) -> str:
    """``genre_subgenre_mood`` (genre and subgenre never contain ``_``; moods may)."""
    return f"{genre}_{subgenre}_{mood}"


def _clamp(value: float, low: float, high: float) -> float:
    return round(min(high, max(low, value)), 3)


def _tempo(sub: dict[str, Any], mood: Mood) -> tuple[float, float]:
    lo, hi = (float(v) for v in sub["tempo"])
    lo, hi = min(lo, hi), max(lo, hi)
    a, b = mood.tempo
    t0, t1 = lo + a * (hi - lo), lo + b * (hi - lo)
    span = min(MIN_TEMPO_SPAN, hi - lo)
    if t1 - t0 < span:
        centre = min(max((t0 + t1) / 2, lo + span / 2), hi - span / 2)
        t0, t1 = centre - span / 2, centre + span / 2
    return round(t0, 1), round(t1, 1)


def _scales(sub: dict[str, Any], mood: Mood) -> tuple[str, ...]:
    allowed = list(sub["scales"])
    if not mood.scales:
        return tuple(allowed)
    kept = [s for s in mood.scales if s in allowed]
    return tuple(kept or mood.scales)


def _register(sub: dict[str, Any], mood: Mood) -> tuple[int, int]:
    low, high = (int(v) for v in sub["register"])
    shift = mood.register
    shift = max(PIANO_RANGE[0] - low, min(PIANO_RANGE[1] - high, shift))
    return low + shift, high + shift


def build_bands(where: str, sub: dict[str, Any], instruments: dict[str, dict[str, Any]]) -> tuple[Band, ...]:
    """The subgenre's bands as :class:`Band` values; unknown instruments and pitched instruments
    in a ``percussion_only`` subgenre raise :class:`DescriptorError`."""
    bands = []
    for band_name, members in sub["bands"].items():
        parts = []
        for member in members:
            name, _, role = member.partition("@")
            spec = instruments.get(name)
            if spec is None:
                raise DescriptorError(f"{where}: band {band_name!r} uses unknown instrument {name!r}; "
                                      f"define it under [instruments.{name}]")
            drums = bool(spec.get("drums", False))
            if sub.get("percussion_only") and not drums:
                raise DescriptorError(f"{where} is percussion_only but band {band_name!r} has the pitched "
                                      f"instrument {name!r}; use drum kits only")
            parts.append(Instrument(name=name, program=int(spec["program"]), drums=drums,
                                    role=role or spec["role"]))
        if not sub.get("percussion_only") and all(p.drums for p in parts):
            raise DescriptorError(f"{where}: band {band_name!r} has no pitched instrument; "
                                  f"mark the subgenre percussion_only or add one")
        bands.append(Band(name=band_name, instruments=tuple(parts)))  # type: ignore[arg-type]
    return tuple(bands)


def mood_rhythms(sub: dict[str, Any], moods: dict[str, Mood]) -> dict[str, tuple[str, ...]]:
    """Each of the subgenre's moods -> its drum pattern (a 1-tuple; empty when the subgenre has none).

    Moods at the same momentum are the ones the classifier can tell apart only by what else they
    do, so they take the patterns in turn: the k-th of them (in the subgenre's list) plays
    pattern ``k mod n``.
    """
    patterns = tuple(sub.get("rhythms", ()))
    seen: dict[int, int] = {}
    out: dict[str, tuple[str, ...]] = {}
    for name in sub["moods"]:
        momentum = moods[name].momentum
        k = seen.get(momentum, 0)
        seen[momentum] = k + 1
        out[name] = (patterns[k % len(patterns)],) if patterns else ()
    return out


def resolve_style(
    sub: dict[str, Any], mood: Mood, bands: tuple[Band, ...], rhythms: tuple[str, ...] | None = None
) -> Style:
    """Combine one subgenre table (schema-checked) with one mood into a :class:`Style`.

    ``rhythms`` are the mood's drum patterns (from :func:`mood_rhythms`); ``None`` keeps all of
    the subgenre's.
    """
    scales = _scales(sub, mood)
    family = "major" if scales[0] in MAJOR_LIKE else "minor"
    meter = tuple(int(v) for v in sub.get("meter", (4, 4)))
    shape = sub.get("shape", {})
    return Style(
        tempo_range=_tempo(sub, mood),
        meter=(meter[0], meter[1]),
        feel=sub.get("feel", "straight"),
        scales=scales,
        progressions=tuple(tuple(p) for p in sub["progressions"][family]),
        harmonic_rhythm=round(float(sub.get("harmonic_rhythm", 1.0)) * mood.harmonic_rhythm, 3),
        dissonance=_clamp(float(sub.get("dissonance", 0.2)) + mood.dissonance, 0.0, 1.0),
        register=_register(sub, mood),
        bands=bands,
        rhythms=tuple(sub.get("rhythms", ())) if rhythms is None else rhythms,
        density=_clamp(float(sub.get("density", 0.5)) + mood.density, 0.05, 1.0),
        dynamics=_clamp(float(sub.get("dynamics", 0.6)) + mood.dynamics, 0.05, 1.0),
        articulation=mood.articulation or sub.get("articulation", "legato"),
        open_harmony=mood.open_harmony,
        intro=float(shape.get("intro", 0.1)),
        ending=float(shape.get("ending", 0.1)),
        climax=float(shape.get("climax", 0.66)),
    )


def check_rhythms(where: str, sub: dict[str, Any]) -> None:
    meter = tuple(sub.get("meter", (4, 4)))
    for text in sub.get("rhythms", ()):
        try:
            parse_rhythm(text, (int(meter[0]), int(meter[1])))
        except ValueError as exc:
            raise DescriptorError(f"{where}: {exc}") from None


def resolve_descriptors(
    genres: dict[str, dict[str, Any]], moods: dict[str, Mood], instruments: dict[str, dict[str, Any]]
) -> list[Descriptor]:
    """Every ``genre_subgenre_mood`` descriptor the genre tables define, in file order."""
    out = []
    for genre, body in genres.items():
        for subgenre, sub in body["subgenres"].items():
            where = f"subgenre {genre}/{subgenre}"
            lo, hi = sub["tempo"]
            if lo >= hi:
                raise DescriptorError(f"{where}: tempo range [{lo}, {hi}] must have low < high")
            rlo, rhi = sub["register"]
            if rhi - rlo < 12:
                raise DescriptorError(f"{where}: register [{rlo}, {rhi}] must span at least an octave")
            check_rhythms(where, sub)
            bands = build_bands(where, sub, instruments)
            for mood_name in sub["moods"]:
                if mood_name not in moods:
                    raise DescriptorError(f"{where} lists unknown mood {mood_name!r}; "
                                          f"define it under [moods.{mood_name}]")
            rhythms = mood_rhythms(sub, moods)
            for mood_name in sub["moods"]:
                mood = moods[mood_name]
                name = descriptor_name(genre, subgenre, mood_name)
                out.append(Descriptor(
                    id=descriptor_id(name), name=name, genre=genre, subgenre=subgenre, mood=mood_name,
                    sentiment=mood.sentiment, valence=mood.valence, momentum=mood.momentum,
                    style=resolve_style(sub, mood, bands, rhythms[mood_name]),
                ))
    return out
