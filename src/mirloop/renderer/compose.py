"""The composer: a region plan and a seed in, the notes of every instrument out.

Composition is a pure function of ``(plan, seed)`` (and of whether the genre idioms are played,
the renderer option ``idioms``): every random choice draws from a generator seeded with the
render seed, the region index and the instrument index, so the same timeline and seed always
give the same score.
"""

from __future__ import annotations

import random

from attrs import evolve

from mirloop.catalog.rhythm import parse_rhythm
from mirloop.renderer.channels import BANKS
from mirloop.renderer.context import RegionContext
from mirloop.renderer.drums import drum_part
from mirloop.renderer.form import active_instruments, plan_form
from mirloop.renderer.genre_sound import (
    ARTICULATED_LAYERS,
    GROOVE_LAYER_GENRES,
    RAP_ROLE,
    arpeggiated,
    band_guitar,
    band_kit,
    doubled,
    gated,
    layers_of,
    role_gain,
    second_take,
    slurred,
    strummed,
    walking,
    without_kick,
)
from mirloop.renderer.harmony import chord_spans, voice
from mirloop.renderer.idioms import POWER_CHORD_PROGRAMS, ROOT_EIGHTHS_GENRES, TIMPANI_PROGRAM
from mirloop.renderer.meter import Meter
from mirloop.renderer.pitched import (
    BASS_RANGE,
    bass_part,
    chord_part,
    melody_part,
    ostinato_part,
    timpani_part,
)
from mirloop.renderer.plan import RegionPlan
from mirloop.renderer.rap import flow_part
from mirloop.renderer.score import Note, Part, Score
from mirloop.renderer.theory import harmony_scale, melody_scale, parse_numeral, without_third
from mirloop.types import Instrument, Style


def rng_for(seed: int, *path: object) -> random.Random:
    """A generator seeded from the render seed and a path such as ``(region, instrument)``."""
    return random.Random(":".join(str(p) for p in (seed, *path)))


def percussion_only(style: Style) -> bool:
    """Whether every band of the style is drums only (such a style plays no pitched notes)."""
    return bool(style.bands) and all(i.drums for band in style.bands for i in band.instruments)


def playing_instruments(plan: RegionPlan) -> tuple[Instrument, ...]:
    """The band's instruments, without pitched ones when the style is percussion-only."""
    if percussion_only(plan.descriptor.style):
        return tuple(i for i in plan.band.instruments if i.drums)
    return plan.band.instruments


def region_context(plan: RegionPlan, seed: int, *, idioms: bool) -> RegionContext:
    """The grid, form and chords of a region (its genre left out without the genre ``idioms``)."""
    style = plan.descriptor.style
    meter = Meter.of(plan.start, plan.tempo, style.meter, style.feel)
    n_bars = max(1, int(-(-plan.duration // meter.bar)))
    momentum = plan.descriptor.momentum
    intro = plan.intro if plan.intro is not None else style.intro * plan.duration
    ending = plan.ending if plan.ending is not None else style.ending * plan.duration
    climax = plan.climax if plan.climax is not None else style.climax
    form = plan_form(n_bars, meter.bar, intro, ending, climax)
    rng = rng_for(seed, plan.index, "harmony")
    progression = rng.choice(style.progressions) if style.progressions else ("I",)
    scale = harmony_scale(plan.scale)
    spans = chord_spans(
        progression,
        plan.key.pitch_class,
        scale,
        n_bars,
        meter.beats_per_bar,
        style.harmonic_rhythm,
        style.dissonance,
        form.sections,
        rng,
        style.open_harmony,
        home=harmony_scale(style.scales[0]) if style.scales else None,
    )
    melody = melody_scale(plan.scale)
    return RegionContext(
        style,
        meter,
        form,
        tuple(spans),
        plan.key.pitch_class,
        scale,
        without_third(melody) if style.open_harmony else melody,
        plan.end,
        momentum,
        plan.descriptor.valence,
        percussion_only(style),
        plan.descriptor.genre if idioms else "",
    )


def compose_region(
    plan: RegionPlan, seed: int, *, idioms: bool, production: str = "gm"
) -> tuple[list[Part], float]:
    """One :class:`Part` per playing instrument of the region, and the climax time (s); ``idioms``
    plays the genre idioms of :mod:`mirloop.renderer.idioms`; ``production = "genre"`` the guitar
    band of :mod:`mirloop.renderer.genre_sound` (distorted, double-tracked rock guitars)."""
    ctx = region_context(plan, seed, idioms=idioms)
    instruments = playing_instruments(plan)
    form = ctx.form
    active = [
        active_instruments(instruments, form.intensity[b], form.sections[b]) for b in range(form.n_bars)
    ]
    rhythms = plan.descriptor.style.rhythms
    rhythm = rng_for(seed, plan.index, "rhythm").choice(rhythms) if rhythms else None
    parts: list[Part] = []
    drum_count = 0
    pulse_carrier = _pulse_carrier(instruments)
    drum_groove = _groove(rhythm, ctx)
    groove = drum_groove if pulse_carrier is not None else ()
    genre_production = production == "genre"
    for index, instrument in enumerate(instruments):
        if genre_production:
            instrument = band_kit(band_guitar(instrument, plan.descriptor.genre), plan.descriptor.genre)
        playing = [index in bar for bar in active]
        rng = rng_for(seed, plan.index, index)
        notes: list[Note]
        if instrument.drums:
            notes = drum_part(ctx, playing, rhythm, drum_count > 0, rng)
            drum_count += 1
        elif idioms and instrument.program == TIMPANI_PROGRAM:
            notes = timpani_part(ctx, playing, rng)
        elif instrument.role == "bass":
            notes = bass_part(ctx, playing, rng, root_eighths=ctx.genre in ROOT_EIGHTHS_GENRES)
        elif instrument.role == "melody":
            notes = melody_part(ctx, playing, rng)
        elif instrument.role == "ostinato":
            notes = ostinato_part(ctx, playing, rng)
        else:
            notes = chord_part(
                ctx,
                playing,
                "pad" if instrument.role == "pad" else "harmony",
                rng,
                pulse=index == pulse_carrier,
                groove=groove,
                power=idioms and instrument.role == "harmony" and instrument.program in POWER_CHORD_PROGRAMS,
            )
        if plan.ringout is not None and not plan.cut:
            notes = ring_out(ctx, instrument, notes, plan.ringout, rng)
        notes.sort(key=lambda n: (n.start, n.pitch))
        parts.append(Part(instrument, plan.index, notes, plan.end if plan.cut else None))
        if genre_production and doubled(instrument, plan.descriptor.genre):
            parts.append(second_take(parts[-1]))
    if genre_production:
        parts += layer_parts(
            plan, ctx, active, seed, used=len(parts) - min(drum_count, 1), groove=drum_groove
        )
        descriptor, grid = plan.descriptor, ctx.meter
        genre = descriptor.genre
        played = (
            walking(
                arpeggiated(
                    gated(without_kick(part, descriptor), descriptor, start=grid.start, beat=grid.beat),
                    descriptor,
                    start=grid.start,
                    beat=grid.beat,
                ),
                genre,
                start=grid.start,
                beat=grid.beat,
            )
            for part in parts
        )
        parts = [
            evolve(
                slurred(
                    strummed(part, genre, start=grid.start, beat=grid.beat, compound=grid.steps == 3),
                    descriptor,
                    beat=grid.beat,
                ),
                gain=role_gain(descriptor, part),
            )
            for part in played
        ]
    climax = ctx.meter.start + ctx.form.climax_bar * ctx.meter.bar
    return parts, min(climax, plan.end)


def layer_parts(
    plan: RegionPlan,
    ctx: RegionContext,
    active: list[set[int]],
    seed: int,
    *,
    used: int,
    groove: tuple[tuple[float, ...], ...] = (),
) -> list[Part]:
    """The genre production's layers (:data:`mirloop.renderer.genre_sound.LAYERS`): held chords in
    every bar where the band plays, on the channels the band leaves free (``used`` taken); over a
    percussion ensemble of a :data:`~mirloop.renderer.genre_sound.GROOVE_LAYER_GENRES` genre, chord
    hits on every beat and on ``groove`` (the drums' pattern, in beats, bar by bar); the
    :data:`~mirloop.renderer.genre_sound.ARTICULATED_LAYERS` over a band, chords as the mood
    articulates them."""
    band = () if ctx.percussion_only else playing_instruments(plan)
    layers = layers_of(
        plan.descriptor.genre,
        room=len(BANKS[plan.index % 2]) - used,
        band=band,
        percussion_only=ctx.percussion_only,
    )
    if ctx.percussion_only:
        layers = tuple(layer for layer in layers if layer.role != "melody")
    playing = [bool(bar) for bar in active]
    parts = []
    for layer in layers:
        rng = rng_for(seed, plan.index, "layer", layer.name)
        if layer.program == TIMPANI_PROGRAM:
            notes = timpani_part(ctx, playing, rng)
        elif layer.role == RAP_ROLE:
            notes = flow_part(ctx, playing, rng)
        elif layer.role == "melody":
            notes = melody_part(ctx, playing, rng)
        elif layer.role == "ostinato":
            notes = ostinato_part(ctx, playing, rng)
        elif ctx.percussion_only and plan.descriptor.genre in GROOVE_LAYER_GENRES and layer.role == "pad":
            notes = chord_part(ctx, playing, "harmony", rng, pulse=True, groove=groove)
        elif layer.name in ARTICULATED_LAYERS.get((plan.descriptor.genre, plan.descriptor.subgenre), ()):
            notes = chord_part(ctx, playing, "pad", rng, articulated=True)
        else:
            notes = chord_part(ctx, playing, "harmony" if layer.role == "harmony" else "pad", rng)
        if plan.ringout is not None and not plan.cut and layer.role == RAP_ROLE:
            notes = [n for n in notes if n.end <= plan.ringout]  # the verse stops where the band rings out
        elif plan.ringout is not None and not plan.cut:
            end_rng = rng_for(seed, plan.index, "layer-end", layer.name)
            notes = ring_out(ctx, layer, notes, plan.ringout, end_rng)
        notes.sort(key=lambda n: (n.start, n.pitch))
        parts.append(Part(layer, plan.index, notes, plan.end if plan.cut else None))
    return parts


def _groove(rhythm: str | None, ctx: RegionContext) -> tuple[tuple[float, ...], ...]:
    """The style's drum pattern as onsets in beats, bar by bar, for a band without drums to play."""
    if not rhythm:
        return ()
    try:
        pattern = parse_rhythm(rhythm, ctx.style.meter)
    except ValueError:
        return ()
    return pattern.bars(ctx.style.meter, ctx.meter.beats_per_bar)


def _pulse_carrier(instruments: tuple[Instrument, ...]) -> int | None:
    """The harmony (else pad) instrument that marks every beat when no drums or ostinato keep time."""
    if any(i.drums or i.role == "ostinato" for i in instruments):
        return None
    for role in ("harmony", "pad"):
        for index, instrument in enumerate(instruments):
            if instrument.role == role:
                return index
    return None


def ring_out(
    ctx: RegionContext, instrument: Instrument, notes: list[Note], at: float, rng: random.Random
) -> list[Note]:
    """End a part with one final event at ``at`` (snapped to the beat) ringing until the region's end:
    a tonic chord, root or note for pitched instruments, a crash and kick for drums."""
    beat = ctx.meter.beat
    at = ctx.meter.start + round((at - ctx.meter.start) / beat) * beat
    if at >= ctx.end - 0.05 or not notes:
        return notes
    kept = [Note(n.start, min(n.end, at), n.pitch, n.velocity) for n in notes if n.start < at - 1e-6]
    bar = min(ctx.form.n_bars - 1, int((at - ctx.meter.start) / ctx.meter.bar))
    velocity = ctx.velocity(bar, 0.2, rng)
    tonic = ctx.tonic
    if instrument.drums:
        final = [
            Note(at, min(at + 0.5, ctx.end), 49, velocity),
            Note(at, min(at + 0.5, ctx.end), 36, velocity),
        ]
    else:
        third = ctx.harmony_scale[2]
        chord = parse_numeral("I" if third == 4 else "i", tonic, ctx.harmony_scale)
        if instrument.role == "bass":
            pitches: tuple[int, ...] = (BASS_RANGE[0] + (tonic - BASS_RANGE[0]) % 12,)
        elif instrument.role in ("melody", "ostinato"):
            low, high = ctx.style.register
            centre = (low + high) // 2 + 5
            pitches = (centre - (centre - tonic) % 12,)
        else:
            low, high = ctx.style.register
            pitches = voice(chord, None, max(low, 48), max(max(low, 48) + 14, min(high, 79)), 3)
        final = [Note(at, ctx.end, p, velocity) for p in pitches]
    return kept + final


def compose(
    plans: list[RegionPlan], duration: float, seed: int, *, idioms: bool, production: str = "gm"
) -> Score:
    """The score of a whole render (``duration`` in s); ``idioms`` and ``production`` as in
    :func:`compose_region`."""
    parts: list[Part] = []
    climaxes: list[float] = []
    for plan in plans:
        region_parts, climax = compose_region(plan, seed, idioms=idioms, production=production)
        parts.extend(region_parts)
        climaxes.append(climax)
    return Score(parts, duration, climaxes)
