"""Pitched parts: bass line, harmony comping, pads, melody and ostinato.

Each generator reads a :class:`~mirloop.renderer.context.RegionContext`, the bars in which the
instrument plays, and a seeded random generator, and returns notes in seconds. Register comes
from the style (``register``), rhythmic activity from ``density`` and note lengths from
``articulation``.
"""

from __future__ import annotations

import random

from mirloop.renderer.context import RegionContext
from mirloop.renderer.harmony import ChordSpan, voice
from mirloop.renderer.score import Note

#: Bass roots sit in C2–B2 (fifths and octaves above): low enough to be bass, high enough that the
#: fundamental, not its overtones, carries the pitch.
BASS_RANGE = (36, 59)


def _clip_note(ctx: RegionContext, start: float, end: float, pitch: int, velocity: int) -> Note | None:
    if start >= ctx.end or end <= start:
        return None
    return Note(start, min(end, ctx.end), pitch, velocity)


def _rhythm_grid(ctx: RegionContext, density: float) -> list[float]:
    """Onsets (in beats from the bar start) of a comping or bass figure for a given density."""
    beats, steps = ctx.meter.beats_per_bar, ctx.meter.steps
    if density < 0.3:
        return [0.0]
    if density < 0.5:
        return [float(b) for b in range(0, beats, 2)] if beats % 2 == 0 else [0.0]
    if density < 0.75 or steps % 2:
        return [float(b) for b in range(beats)] if density < 0.65 else [b / 2 for b in range(beats * 2)]
    return [b / 2 for b in range(beats * 2)] + [beats - 0.25]


def bass_part(
    ctx: RegionContext, active: list[bool], rng: random.Random, *, root_eighths: bool = False
) -> list[Note]:
    """Chord roots on the downbeats, fifths and octaves in busier styles. With ``root_eighths``
    (the rock idiom) the bass drives straight eighths on the roots once the intro is over."""
    notes: list[Note] = []
    density = ctx.style.density
    low, high = BASS_RANGE
    for bar, playing in enumerate(active):
        if not playing:
            continue
        onsets = _rhythm_grid(ctx, density * (0.7 + 0.3 * ctx.form.intensity[bar]))
        driving = root_eighths and ctx.form.sections[bar] in ("build", "climax") and ctx.meter.steps % 2 == 0
        if driving:
            onsets = [b / 2 for b in range(ctx.meter.beats_per_bar * 2)]
        for i, onset in enumerate(onsets):
            span = ctx.chord_at(bar, onset)
            root = low + (span.chord.root - low) % 12
            pitch = root
            if not driving and density >= 0.55 and i % 4 == 3 and len(span.chord.tones) > 2:
                pitch = root + 7 if root + 7 <= high else root
            elif not driving and density >= 0.75 and i % 4 == 2:
                pitch = root + 12 if root + 12 <= high else root
            nxt = onsets[i + 1] if i + 1 < len(onsets) else float(ctx.meter.beats_per_bar)
            span_end = span.bar * ctx.meter.beats_per_bar + span.beat + span.beats
            length = min(nxt, span_end - bar * ctx.meter.beats_per_bar) - onset
            start = ctx.meter.step_time(bar, onset * ctx.meter.steps)
            end = start + max(0.05, length * ctx.meter.beat * ctx.gate)
            note = _clip_note(ctx, start, end, pitch, ctx.velocity(bar, 0.3 if onset == 0 else 0.0, rng))
            if note:
                notes.append(note)
    return notes


def _voicing_range(ctx: RegionContext, role: str) -> tuple[int, int]:
    low, high = ctx.style.register
    if role == "pad":
        return max(low, 45), max(max(low, 45) + 14, min(high, 76))
    return max(low, 48), max(max(low, 48) + 14, min(high, 81))


def tonic_below(ctx: RegionContext, pitch: int, floor: int) -> int | None:
    """The tonic in the octave under ``pitch``, if it is not below ``floor``."""
    candidate = pitch - 1 - (pitch - 1 - ctx.tonic) % 12
    return candidate if candidate >= floor else None


def chord_part(
    ctx: RegionContext,
    active: list[bool],
    role: str,
    rng: random.Random,
    *,
    pulse: bool = False,
    groove: tuple[tuple[float, ...], ...] = (),
    power: bool = False,
    articulated: bool = False,
) -> list[Note]:
    """Voice-led chords: pads hold each chord over a tonic pedal, harmony instruments comp in the
    style's rhythm. With ``pulse`` the band has nothing else keeping time: the part plays every beat
    and, bar by bar, the onsets of ``groove`` (the style's drum pattern, in beats), accented. With
    ``power`` (distorted guitars) every chord is a power chord: root, fifth and octave, low, and the
    chord's third a tenth above the root. With ``articulated`` a pad keeps its register and pedal
    but plays as the style articulates, as harmony instruments do (held only when sustained)."""
    low, high = _voicing_range(ctx, role)
    voices = 4 if len(ctx.spans[0].chord.tones) > 3 or ctx.style.density > 0.5 else 3
    notes: list[Note] = []
    previous: tuple[int, ...] | None = None
    bpb = ctx.meter.beats_per_bar
    holds = role == "pad" and not articulated
    for span in ctx.spans:
        pitches = voice(span.chord, previous, low, high, max(voices, min(5, len(span.chord.tones))))
        previous = pitches
        if power:
            pitches = power_chord(span.chord.root, span.chord.tones)
        if span.bar >= len(active) or not active[span.bar]:
            continue
        span_start = span.bar * bpb + span.beat
        if not power and (role == "pad" or (ctx.minor and ctx.tonic not in span.chord.tones)):
            pedal = tonic_below(ctx, min(pitches), 33)
            if pedal is not None and pedal not in pitches:
                pitches = (pedal, *pitches)
        if (holds or ctx.style.articulation == "sustained") and not pulse:
            onsets = [(span_start, span.beats)]
        else:
            onsets = []
            bar = span.bar
            while bar * bpb < span_start + span.beats - 1e-9:
                grid = _rhythm_grid(
                    ctx, ctx.style.density * (0.7 + 0.3 * ctx.form.intensity[min(bar, len(active) - 1)])
                )
                if pulse and len(grid) < bpb:
                    grid = [float(b) for b in range(bpb)]
                if pulse and groove:
                    grid = sorted(set(grid) | set(groove[bar % len(groove)]))
                for i, onset in enumerate(grid):
                    at = bar * bpb + onset
                    nxt = bar * bpb + (grid[i + 1] if i + 1 < len(grid) else bpb)
                    if span_start - 1e-9 <= at < span_start + span.beats - 1e-9:
                        onsets.append((at, min(nxt, span_start + span.beats) - at))
                bar += 1
        for at, length in onsets:
            bar_index, beat = divmod(at, bpb)
            start = ctx.meter.step_time(int(bar_index), beat * ctx.meter.steps)
            gate = 1.0 if holds and not pulse else ctx.gate
            end = start + max(0.06, length * ctx.meter.beat * gate)
            accent = (0.2 if beat == 0 else -0.1) - (0.35 if role == "pad" else 0.0)
            if pulse and groove and any(abs(beat - g) < 1e-6 for g in groove[int(bar_index) % len(groove)]):
                accent += 0.15
            for k, pitch in enumerate(pitches):
                velocity = ctx.velocity(int(bar_index), accent - 0.1 * (k > 0), rng)
                note = _clip_note(ctx, start + (0.004 * k if role != "pad" else 0.0), end, pitch, velocity)
                if note:
                    notes.append(note)
    return notes


#: Lowest root of a power chord (E2, the guitar's open low string).
POWER_ROOT = 40


def power_chord(root: int, tones: tuple[int, ...] = ()) -> tuple[int, ...]:
    """Root, fifth and octave with the root in E2–D#3, and the chord's third (``tones[1]``) a tenth
    above the root when given: without it a power trio, whose guitar is its only chordal voice,
    sounds the same in major and minor, and its moods could not be told apart by their mode."""
    low = POWER_ROOT + (root - POWER_ROOT) % 12
    if len(tones) < 2:
        return (low, low + 7, low + 12)
    return (low, low + 7, low + 12, low + 12 + (tones[1] - root) % 12)


#: Timpani hits sit in D2–A3, the range of a set of four drums.
TIMPANI_RANGE = (38, 57)


def timpani_part(ctx: RegionContext, active: list[bool], rng: random.Random) -> list[Note]:
    """Timpani on accents: the root on each downbeat (the fifth below on the middle beat of climax
    bars) and a sixteenth-note roll, growing louder, through the last beat before the climax."""
    low, high = TIMPANI_RANGE
    beats, steps = ctx.meter.beats_per_bar, ctx.meter.steps
    notes: list[Note] = []
    for bar, playing in enumerate(active):
        if not playing:
            continue
        span = ctx.chord_at(bar, 0.0)
        root = low + (span.chord.root - low) % 12
        hits: list[tuple[float, int, float]] = [(0.0, root, 0.5)]
        if ctx.form.sections[bar] == "climax" and beats >= 4:
            fifth = root - 5 if root - 5 >= low else root + 7
            hits.append((beats // 2 * steps, min(fifth, high), 0.3))
        if bar + 1 == ctx.form.climax_bar:
            last = (beats - 1) * steps
            hits += [(last + i * steps / 4, root, -0.4 + 0.25 * i) for i in range(4)]
        for step, pitch, accent in hits:
            start = ctx.meter.step_time(bar, step)
            note = _clip_note(ctx, start, start + ctx.meter.beat * 0.9, pitch, ctx.velocity(bar, accent, rng))
            if note:
                notes.append(note)
    return notes


def _nearest(pitch: int, candidates: list[int]) -> int:
    return min(candidates, key=lambda c: (abs(c - pitch), c))


def _pitches_in(pcs: set[int], low: int, high: int) -> list[int]:
    return [p for p in range(low, high + 1) if p % 12 in pcs]


def melody_part(ctx: RegionContext, active: list[bool], rng: random.Random) -> list[Note]:
    """A motif-based line: a one-bar rhythm repeated, chord tones on strong beats, scale steps between,
    two-bar phrases answered with variation."""
    low, high = ctx.style.register
    low = max(low, (low + high) // 2 - 2, 48)
    high = max(low + 12, min(high, 88))
    scale_pitches = _pitches_in({(ctx.tonic + s) % 12 for s in ctx.melody_scale}, low, high)
    beats, steps = ctx.meter.beats_per_bar, ctx.meter.steps
    count = max(2, min(beats * steps, round(1 + ctx.style.density * beats * 1.6)))
    strong = [b * steps for b in range(beats)]
    weak = [s for s in range(beats * steps) if s not in strong and s % max(1, steps // 2) == 0]
    onsets = sorted(set(strong[: max(1, count // 2)] + rng.sample(weak, min(len(weak), count - count // 2))))
    contour = [rng.choice((-2, -1, -1, 1, 1, 2)) for _ in onsets]
    notes: list[Note] = []
    current = scale_pitches[len(scale_pitches) // 2]
    for bar, playing in enumerate(active):
        if not playing:
            continue
        answer = bar % 2 == 1
        for i, step in enumerate(onsets):
            beat = step / steps
            span = ctx.chord_at(bar, beat)
            move = -contour[i] if answer else contour[i]
            index = scale_pitches.index(_nearest(current, scale_pitches)) + move
            current = scale_pitches[max(0, min(len(scale_pitches) - 1, index))]
            if step in strong or i == 0:
                current = _nearest(
                    current, _pitches_in(set(span.chord.tones[:3]), low, high) or scale_pitches
                )
            if answer and i == len(onsets) - 1:
                current = _nearest(current, _pitches_in({ctx.tonic}, low, high) or scale_pitches)
            nxt = onsets[i + 1] if i + 1 < len(onsets) else beats * steps
            start = ctx.meter.step_time(bar, step)
            end = start + max(0.06, (nxt - step) / steps * ctx.meter.beat * ctx.gate)
            note = _clip_note(
                ctx, start, end, current, ctx.velocity(bar, 0.15 if step in strong else -0.1, rng)
            )
            if note:
                notes.append(note)
    return notes


OSTINATO_FIGURES = ((0, 1, 2, 1), (0, 1, 2, 3), (0, 2, 1, 2), (2, 1, 0, 1), (0, 2, 3, 1))


def ostinato_part(ctx: RegionContext, active: list[bool], rng: random.Random) -> list[Note]:
    """A repeating arpeggio figure over the current chord, in eighths or sixteenths."""
    low, high = ctx.style.register
    low, high = max(low, (low + high) // 2 - 7, 48), min(max(high, low + 19), 91)
    figure = rng.choice(OSTINATO_FIGURES)
    beats, steps = ctx.meter.beats_per_bar, ctx.meter.steps
    stride = 1 if (ctx.style.density >= 0.65 and steps in (3, 4)) else max(1, steps // 2)
    notes: list[Note] = []
    previous: tuple[int, ...] | None = None
    last_span: ChordSpan | None = None
    for bar, playing in enumerate(active):
        for k, step in enumerate(range(0, beats * steps, stride)):
            span = ctx.chord_at(bar, step / steps)
            if span is not last_span:
                previous = voice(span.chord, previous, low, min(high, low + 19), 4)
                last_span = span
            if not playing or previous is None:
                continue
            pitch = previous[figure[k % len(figure)] % len(previous)]
            if k % len(figure) == 0 and ctx.tonic in span.chord.tones[:3]:
                pitch = _nearest(pitch, _pitches_in({ctx.tonic}, low - 12, high))
            start = ctx.meter.step_time(bar, step)
            end = start + max(0.05, stride / steps * ctx.meter.beat * min(ctx.gate, 0.85))
            note = _clip_note(
                ctx, start, end, pitch, ctx.velocity(bar, 0.1 if step % steps == 0 else -0.2, rng)
            )
            if note:
                notes.append(note)
    return notes
