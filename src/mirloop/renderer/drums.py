"""Drum patterns on the General MIDI drum map, by rhythm pattern, density and intensity.

A pattern is a function of the bar's grid that returns hits ``(step, note, accent)``; steps
count subdivisions from the bar start (see :class:`~mirloop.renderer.meter.Meter`) and
``accent`` in [-1, 1] shifts the velocity. Unknown pattern names fall back to one chosen from
the style's feel, meter and density.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from mirloop.renderer.context import RegionContext
from mirloop.renderer.idioms import DOWNBEAT_CRASH_GENRES
from mirloop.renderer.score import Note

KICK, SIDE_STICK, SNARE, CLAP, CLOSED_HAT, PEDAL_HAT, OPEN_HAT = 36, 37, 38, 39, 42, 44, 46
LOW_TOM, MID_TOM, HIGH_TOM, CRASH, RIDE, TAMBOURINE, COWBELL = 45, 47, 50, 49, 51, 54, 56
LOW_CONGA, HIGH_CONGA, SHAKER, CLAVES, FLOOR_TOM = 64, 63, 70, 75, 41

Hit = tuple[float, int, float]
Pattern = Callable[[int, int, float, random.Random], list[Hit]]


def _hats(beats: int, steps: int, density: float, note: int = CLOSED_HAT) -> list[Hit]:
    if density >= 0.75 and steps == 4:
        return [(s, note, 0.3 if s % 2 == 0 else -0.5) for s in range(beats * steps)]
    if density >= 0.3:
        half = steps // 2 if steps % 2 == 0 else 1
        grid = range(0, beats * steps, half) if steps != 3 else range(0, beats * steps)
        return [(s, note, 0.2 if s % steps == 0 else -0.3) for s in grid]
    return [(b * steps, note, -0.2) for b in range(beats)]


def four_on_floor(beats: int, steps: int, density: float, rng: random.Random) -> list[Hit]:
    hits: list[Hit] = [(b * steps, KICK, 0.6) for b in range(beats)]
    hits += [(b * steps, CLAP, 0.3) for b in range(1, beats, 2)]
    off = steps // 2 if steps % 2 == 0 else 1
    hits += [(b * steps + off, OPEN_HAT if density >= 0.6 else CLOSED_HAT, 0.0) for b in range(beats)]
    if density >= 0.5 and steps == 4:
        hits += [(b * steps + s, CLOSED_HAT, -0.6) for b in range(beats) for s in (1, 3)]
    return hits


def backbeat(beats: int, steps: int, density: float, rng: random.Random) -> list[Hit]:
    hits: list[Hit] = [(b * steps, KICK, 0.5) for b in range(0, beats, 2)]
    hits += [(b * steps, SNARE, 0.5) for b in range(1, beats, 2)]
    if density >= 0.55 and beats >= 4 and steps % 2 == 0:
        hits.append((2 * steps - steps // 2 + steps, KICK, 0.0))
    return hits + _hats(beats, steps, density)


def half_time(beats: int, steps: int, density: float, rng: random.Random) -> list[Hit]:
    hits: list[Hit] = [(0, KICK, 0.6), (beats // 2 * steps, SNARE, 0.6)]
    if density >= 0.4 and steps % 2 == 0:
        hits.append((steps + steps // 2, KICK, -0.1))
    return hits + _hats(beats, steps, max(density, 0.35))


def breakbeat(beats: int, steps: int, density: float, rng: random.Random) -> list[Hit]:
    hits: list[Hit] = [(0, KICK, 0.6), (steps, SNARE, 0.5)]
    if beats >= 4:
        hits += [(2 * steps + steps // 2, KICK, 0.2), (3 * steps, SNARE, 0.5)]
        if steps == 4:
            hits += [(1 * steps + 3, KICK, -0.1), (3 * steps + 3, SNARE, -0.8)]
    return hits + _hats(beats, steps, density)


def trap(beats: int, steps: int, density: float, rng: random.Random) -> list[Hit]:
    hits: list[Hit] = [(0, KICK, 0.7), (beats // 2 * steps, CLAP, 0.6)]
    if steps == 4 and beats >= 4:
        hits += [(steps + 2, KICK, 0.1), (3 * steps + 1, KICK, -0.1)]
    hits += _hats(beats, steps, 0.8)
    if steps == 4 and rng.random() < density:
        last = beats * steps - steps
        hits += [(last + s / 2, CLOSED_HAT, -0.4) for s in range(8)]
    return hits


def shuffle(beats: int, steps: int, density: float, rng: random.Random) -> list[Hit]:
    hits: list[Hit] = [(b * steps, RIDE, 0.2) for b in range(beats)]
    if steps == 4:
        hits += [(b * steps + 3, RIDE, -0.4) for b in range(1, beats, 2)]
    hits += [(b * steps, PEDAL_HAT, -0.3) for b in range(1, beats, 2)]
    hits += [(0, KICK, 0.3)] + ([(2 * steps, KICK, 0.0)] if beats >= 4 else [])
    if density >= 0.4:
        hits += [(b * steps, SIDE_STICK if density < 0.6 else SNARE, 0.1) for b in range(1, beats, 2)]
    return hits


def waltz(beats: int, steps: int, density: float, rng: random.Random) -> list[Hit]:
    hits: list[Hit] = [(0, KICK, 0.5)]
    hits += [(b * steps, SIDE_STICK if density < 0.5 else SNARE, -0.1) for b in range(1, beats)]
    return hits + _hats(beats, steps, density)


def tribal(beats: int, steps: int, density: float, rng: random.Random) -> list[Hit]:
    hits: list[Hit] = [
        (b * steps, FLOOR_TOM if b % 2 == 0 else LOW_TOM, 0.6 if b == 0 else 0.2) for b in range(beats)
    ]
    hits += [(0, KICK, 0.7)]
    if density >= 0.4:
        hits += [(b * steps + steps // 2, MID_TOM, -0.2) for b in range(beats)]
    if density >= 0.7 and steps == 4:
        hits += [(b * steps + s, HIGH_TOM, -0.5) for b in range(beats) for s in (1, 3)]
    if beats >= 4:
        hits.append(((beats - 1) * steps, SNARE, 0.4))
    return hits


def latin(beats: int, steps: int, density: float, rng: random.Random) -> list[Hit]:
    clave = [0, 3, 6, 10, 12] if steps == 4 and beats == 4 else [b * steps for b in range(beats)]
    hits: list[Hit] = [(s, SIDE_STICK, 0.1) for s in clave]
    hits += [(0, KICK, 0.4), (steps + steps // 2, KICK, -0.2)]
    if beats >= 4:
        hits += [(2 * steps, KICK, 0.3), (3 * steps + steps // 2, KICK, -0.2)]
    return hits + _hats(beats, steps, density, SHAKER)


def march(beats: int, steps: int, density: float, rng: random.Random) -> list[Hit]:
    hits: list[Hit] = [(b * steps, KICK, 0.4) for b in range(beats)]
    grid = range(beats * steps) if density >= 0.5 else range(0, beats * steps, max(1, steps // 2))
    hits += [(s, SNARE, 0.4 if s % steps == 0 else -0.5) for s in grid]
    return hits


def pulse(beats: int, steps: int, density: float, rng: random.Random) -> list[Hit]:
    hits: list[Hit] = [(b * steps, KICK, 0.3 if b == 0 else -0.2) for b in range(beats)]
    return hits + _hats(beats, steps, density, SHAKER)


PATTERNS: dict[str, Pattern] = {
    "four_on_floor": four_on_floor,
    "backbeat": backbeat,
    "half_time": half_time,
    "breakbeat": breakbeat,
    "trap": trap,
    "shuffle": shuffle,
    "waltz": waltz,
    "tribal": tribal,
    "latin": latin,
    "march": march,
    "pulse": pulse,
}

_KEYWORDS = (
    (("four", "floor", "house", "disco", "techno", "dance"), "four_on_floor"),
    (("half",), "half_time"),
    (("break", "hip", "boom", "funk", "groove"), "breakbeat"),
    (("trap",), "trap"),
    (("shuffle", "swing", "jazz", "blues"), "shuffle"),
    (("waltz", "3/4"), "waltz"),
    (("tribal", "tom", "taiko", "epic", "war", "primal"), "tribal"),
    (("latin", "bossa", "clave", "samba", "reggae"), "latin"),
    (("march", "snare roll", "military"), "march"),
    (("pulse", "minimal", "ambient", "sparse", "heartbeat", "tick"), "pulse"),
    (("rock", "pop", "back", "straight", "indie", "beat"), "backbeat"),
)


def pattern_name(rhythm: str | None, feel: str, beats: int, density: float) -> str:
    """The pattern played for a style's rhythm name (keywords), else one fitting feel, meter, density."""
    if rhythm:
        key = rhythm.strip().lower().replace("-", "_").replace(" ", "_")
        if key in PATTERNS:
            return key
        spaced = key.replace("_", " ")
        for words, name in _KEYWORDS:
            if any(w in spaced for w in words):
                return name
    if beats == 3:
        return "waltz"
    if feel == "half-time":
        return "half_time"
    if feel == "swing":
        return "shuffle"
    return "four_on_floor" if density >= 0.7 else "backbeat"


def aux_hits(beats: int, steps: int, density: float, bar: int) -> list[Hit]:
    """A second percussion instrument: shaker/tambourine pulse and congas."""
    half = max(1, steps // 2)
    hits: list[Hit] = [
        (s, SHAKER if density < 0.6 else TAMBOURINE, -0.2 if s % steps else 0.1)
        for s in range(0, beats * steps, half)
    ]
    hits += [(b * steps + half, LOW_CONGA if b % 2 else HIGH_CONGA, -0.1) for b in range(beats)]
    return hits


def catalog_hits(rhythm: str, meter: tuple[int, int], steps_per_bar: int, bar: int) -> list[Hit] | None:
    """Hits of one bar of a catalog pattern string (``"kick:x... snare:..x."``, sixteenth steps),
    converted to the grid's steps; ``None`` if ``rhythm`` is not a pattern string."""
    if ":" not in rhythm:
        return None
    from mirloop.catalog.rhythm import parse_rhythm
    from mirloop.catalog.rhythm import steps_per_bar as sixteenths_per_bar

    try:
        pattern = parse_rhythm(rhythm, meter)
    except ValueError:
        return None
    per_bar = sixteenths_per_bar(meter)
    offset = (bar % max(1, pattern.steps // per_bar)) * per_bar
    scale = steps_per_bar / per_bar
    return [
        ((step - offset) * scale, note, 0.3 if velocity >= 1.0 else -0.8)
        for step, note, velocity in pattern.hits()
        if offset <= step < offset + per_bar
    ]


def with_pulse(hits: list[Hit], beats: int, steps: int, filler: int) -> list[Hit]:
    """Make every beat audible: a soft ``filler`` hit on beats without one, and off-beat hits a little
    softer than on-beat ones, so the beat level (the tempo) is the clearest periodicity."""
    on_beat = {round(h[0]) // steps for h in hits if abs(h[0] - round(h[0] / steps) * steps) < 1e-6}
    shaped = [
        (step, note, accent if abs(step % steps) < 1e-6 else accent - 0.2) for step, note, accent in hits
    ]
    return shaped + [(b * steps, filler, -0.45) for b in range(beats) if b not in on_beat]


#: In drum-only styles nothing else can carry a mood's brightness, so valence re-voices the kit:
#: dark moods (valence 0) move every hit to a lower drum (shakers and hats to a low conga, open
#: hats dropped); bright ones (valence 2) move hits up and add a tambourine on the off-beats.
DARK_VOICES = {HIGH_TOM: MID_TOM, MID_TOM: LOW_TOM, LOW_TOM: FLOOR_TOM, SNARE: LOW_TOM, CLAP: FLOOR_TOM,
               HIGH_CONGA: LOW_CONGA, TAMBOURINE: LOW_CONGA, SHAKER: LOW_CONGA, CLOSED_HAT: LOW_CONGA,
               OPEN_HAT: None, CRASH: FLOOR_TOM}
BRIGHT_VOICES = {FLOOR_TOM: LOW_TOM, LOW_TOM: MID_TOM, MID_TOM: HIGH_TOM, LOW_CONGA: HIGH_CONGA,
                 SHAKER: TAMBOURINE, CLOSED_HAT: TAMBOURINE}


def voiced_for_valence(hits: list[Hit], valence: int, beats: int, steps: int) -> list[Hit]:
    """Hits of a drum-only style re-voiced for ``valence`` (see :data:`DARK_VOICES`); 1 keeps them."""
    if valence <= 0:
        moved = [(step, DARK_VOICES.get(note, note), accent) for step, note, accent in hits]
        return [(step, note, accent) for step, note, accent in moved if note is not None]
    if valence >= 2:
        off = steps // 2 if steps % 2 == 0 else 1
        bright = [(step, BRIGHT_VOICES.get(note, note), accent) for step, note, accent in hits]
        return bright + [(b * steps + off, TAMBOURINE, -0.2) for b in range(beats)]
    return hits


QUIET_VOICES = frozenset({KICK, SIDE_STICK, CLOSED_HAT, SHAKER, RIDE, PEDAL_HAT, FLOOR_TOM, LOW_TOM})


def drum_part(
    ctx: RegionContext, active: list[bool], rhythm: str | None, aux: bool, rng: random.Random
) -> list[Note]:
    """Drum notes for every active bar: the pattern thinned in quiet bars, a crash at section starts and
    a tom fill into the climax. ``rhythm`` is a catalog pattern string or a pattern name."""
    meter, form, style = ctx.meter, ctx.form, ctx.style
    name = pattern_name(rhythm, style.feel, meter.beats_per_bar, style.density)
    notes: list[Note] = []
    for bar, playing in enumerate(active):
        if not playing:
            continue
        level = form.intensity[bar]
        density = style.density * (0.6 + 0.4 * level)
        if aux:
            hits = aux_hits(meter.beats_per_bar, meter.steps, density, bar)
        else:
            given = catalog_hits(rhythm, style.meter, meter.steps_per_bar, bar) if rhythm else None
            hits = (
                given if given is not None else PATTERNS[name](meter.beats_per_bar, meter.steps, density, rng)
            )
            if level < 0.35:
                hits = [h for h in hits if h[1] in QUIET_VOICES and h[2] > -0.5] or hits[:1]
            hits = with_pulse(
                hits, meter.beats_per_bar, meter.steps, SHAKER if style.density < 0.4 else CLOSED_HAT
            )
            section = form.sections[bar]
            previous = form.sections[bar - 1] if bar > 0 else ""
            if section != previous and section in ("build", "climax") and bar > 0:
                hits.append((0, CRASH, 0.5))
            elif (
                ctx.genre in DOWNBEAT_CRASH_GENRES
                and section in ("build", "climax")
                and (section == "climax" or (bar - form.intro_bars) % 4 == 0)
                and not any(note == CRASH and step == 0 for step, note, _ in hits)
            ):
                hits.append((0, CRASH, 0.4))
            if bar + 1 == form.climax_bar and meter.steps >= 2 and style.density >= 0.25:
                last = (meter.beats_per_bar - 1) * meter.steps
                fill = [HIGH_TOM, MID_TOM, LOW_TOM, FLOOR_TOM]
                hits = [h for h in hits if h[0] < last]
                hits += [(last + i * meter.steps / 4, fill[i], 0.2 * i) for i in range(4)]
        if ctx.percussion_only:
            hits = voiced_for_valence(hits, ctx.valence, meter.beats_per_bar, meter.steps)
        for step, pitch, accent in hits:
            start = max(meter.step_time(bar, step) + rng.uniform(-0.002, 0.002), meter.start)
            if start >= ctx.end:
                continue
            notes.append(Note(start, min(start + 0.2, ctx.end), pitch, ctx.velocity(bar, accent, rng)))
    return notes
