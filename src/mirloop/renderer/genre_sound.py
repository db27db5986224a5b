"""Genre production: the instruments and the mix a producer of each genre would use, where the
General MIDI patches of the default render are weak (renderer option ``production = "genre"``).

- **Synths** (:data:`SYNTH_VOICES`): in the genres of :data:`SYNTH_GENRES`, the GM synth programs
  (leads, pads, synth and sub basses, the poly synth and the pluck) are played by the NumPy voices
  of :mod:`mirloop.renderer.voices` — detuned supersaws with filter envelopes, acid and sub basses;
  hip-hop's synth and sub basses are 808 basses, ambient's pads the steady drone pad
  (:data:`GENRE_VOICES`).
- **Drum machines** (:data:`KITS`): electronica's kits are a synthesised 909, synth pop's and
  ambient's GM electronic and 808 kits the synthesised 808; hip-hop plays all its kits on the
  font's sampled TR-808 (:data:`FONT_KITS`) under 808 basses (its bass guitars too).
- **A sung lead** (:data:`VOCAL_GENRES`): pop's melody is sung by the synthesised voice of
  :mod:`mirloop.renderer.vocal` (the band's melody instrument, or a ``lead_vocal`` layer).
- **A rapped verse** (:data:`RAP_ROLE`): hip-hop gets a rapper (:mod:`mirloop.renderer.rap`) over
  the beat, beside the band's melody.
- **Trap's 808 is its kick** (:data:`KICKLESS`): the kit plays no kick of its own under the 808
  bass.
- **Bass lines**: synthwave's bass drives sixteenths, root and octave, each as long as the mood's
  articulation holds a note (:func:`arpeggiated`); jazz basses walk, a note a beat (:func:`walking`).
- **Celtic sessions** (:data:`SLURS`): the tunes slurred, the jig strummed in threes
  (:data:`COMPOUND_STRUM_PATTERN`), the frame drum under the tunes (:data:`SUBGENRE_ROLE_GAINS`).
- **Trance gate** (:data:`GATES`): electronica's synth chords and pads are chopped into sixteenths
  (synthwave's are held, :data:`UNGATED`).
- **Balance** (:data:`ROLE_GAINS`): hip-hop and dance mixes put drums and bass in front, pop its
  vocal.
- **Guitar bands** (:data:`GUITAR_GENRES`): rock's comping guitars become distorted guitars playing
  power chords with the chord's third a tenth up (the mode stays audible), double-tracked (a second
  take a few milliseconds late, panned to the other side).
- **Orchestral layers** (:data:`LAYERS`): cinematic cues get a choir and a low string section
  holding the chords under the band — under a percussion ensemble they hit the chord on the drums'
  groove instead (:data:`GROOVE_LAYER_GENRES`), as trailer music's string and choir stabs do, and
  over a band they play the chords as the mood articulates them (:data:`ARTICULATED_LAYERS`; an
  orchestra's choir holds) —,
  documentary a rhythmic string underscore (a pizzicato ostinato and string-section chords) — as
  film and documentary scores layer them.
- **Taiko** (:data:`TAIKO_GENRES`): the kits of cinematic percussion ensembles (all but hand
  percussion) are the synthesised taiko ensemble of :mod:`mirloop.renderer.membrane`.
- **Acoustic guitars** (:data:`STRUM_GENRES`): folk's GM guitars and harp are played by the
  steel-string guitar of :mod:`mirloop.renderer.guitar`, their chords strummed down and up
  (:func:`strummed`), in a dry, close room.
- **Master** (:data:`MASTERS`): a glue compressor with make-up gain, and a shelving EQ (a bright top
  and a full low end for the club and radio genres).
- **Space** (:data:`SPACES`): reverb RT60 and send per genre (ambient's long tail).

The default (``production = "gm"``) renders every part on the GM font, as the shipped model's
training renders were made.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from attrs import evolve, frozen

from mirloop.renderer.context import note_gate
from mirloop.renderer.score import Note, Part
from mirloop.types import Descriptor, Instrument

#: Genres whose GM synth programs are played by the NumPy synth voices.
SYNTH_GENRES = ("electronica", "pop", "hiphop", "ambient", "cinematic", "documentary")
#: GM program → NumPy voice (:data:`mirloop.renderer.voices.PITCHED`).
SYNTH_VOICES: dict[int, str] = {
    38: "acid_bass",
    39: "sub_bass",
    80: "square_lead",
    81: "saw_lead",
    84: "pluck",
    89: "pad",
    90: "supersaw",
    94: "pad",
    95: "pad",
    98: "pad",
    99: "pad",
}
#: Genres whose held GM string ensembles, organs and choirs (:data:`DRONE_PROGRAMS`) are played by
#: the drone pad (the synth pad held steady, its filter following the note): ambient's bowed and
#: organ drones were heard as strings, hence classical music.
PAD_DRONE_GENRES = ("ambient",)
#: GM string ensembles (strings, slow strings, synth strings 1 and 2), organs and choirs.
DRONE_PROGRAMS = (48, 49, 50, 51, 16, 17, 18, 19, 20, 52, 53)
#: genre → GM program → voice, over :data:`SYNTH_VOICES`.
#: Hip-hop's bass guitars (upright, finger, pick, fretless) are 808 basses too: under a rapped verse
#: and the sampled 808 kit, their plucks were heard as jazz and funk. Ambient's synth pads are the
#: drone pad: the evolving pad's filter, sweeping at a random phase under each note and fixed
#: whatever the register, blurred the chords that tell a drone's moods apart.
GENRE_VOICES: dict[str, dict[int, str]] = {
    "hiphop": {program: "bass_808" for program in (32, 33, 34, 35, 38, 39)},
    "ambient": {program: "drone_pad" for program, voice in SYNTH_VOICES.items() if voice == "pad"},
}
#: genre → drum machine (:data:`mirloop.renderer.voices.KITS`) for all of its kits. Hip-hop keeps the
#: font's sampled kits (acoustic breaks for boom-bap and lo-fi, the sampled TR-808 of the GM 808
#: kit for trap): heard as hip-hop far more often than the synthesised 808, heard as electro.
KITS: dict[str, str] = {"electronica": "909", "pop": "808"}
#: genre → the font's drum kit (GM kit program) all of its kits are played on: hip-hop's beats are
#: the sampled TR-808 (GM kit 25) — its room and brush kits, under boom-bap's and lo-fi's keys, were
#: heard as jazz and funk. Hand percussion and orchestral kits stay as they are.
FONT_KITS: dict[str, int] = {"hiphop": 25}
#: (genre, subgenre) → drum machine, over :data:`KITS`; ``""`` keeps the GM kit (acoustic pop is
#: played on a real kit).
SUBGENRE_KITS: dict[tuple[str, str], str] = {("pop", "acoustic"): ""}
#: Genres whose GM electronic and analog kits (:data:`MACHINE_KIT_PROGRAMS`) are the synthesised 808.
MACHINE_KIT_GENRES = ("ambient",)
#: GM kit programs played by the 808 in every other genre (electronic, analog).
MACHINE_KIT_PROGRAMS = (24, 25)
#: Genres whose percussion ensembles (styles of drums only) play their kits, all but hand percussion,
#: on the synthesised taiko ensemble of :mod:`mirloop.renderer.membrane`: on the font's kits a
#: driving percussion ensemble was heard as electronic music. Orchestral cues keep the font's kits.
TAIKO_GENRES = ("cinematic",)
#: Names of drum instruments that stay acoustic (hand percussion is not a drum machine's).
ACOUSTIC_ONLY = ("hand_percussion", "orchestral_kit")

#: Genres whose comping guitars are distorted and double-tracked.
GUITAR_GENRES = ("rock",)
#: The GM guitars (nylon … distortion) and the distortion guitar they become.
GUITARS = range(24, 32)
DISTORTION_GUITAR = 30
#: Delay (s) of the double-tracked second take.
DOUBLE_DELAY = 0.014


#: Genres whose melody is sung by the synthesised voice (:mod:`mirloop.renderer.vocal`): the band's
#: melody instrument, or a lead vocal layer (:data:`LAYERS`) when the band has none.
VOCAL_GENRES = ("pop",)
#: The role of a rapped verse (:mod:`mirloop.renderer.rap`): a voice over the beat, beside the band's
#: melody (a hook or a sample) rather than in its place.
RAP_ROLE = "vocal"
#: genre → parts added to the band: pads holding the region's chords, or a melody (a lead vocal
#: layer is added only to a band without a melody instrument).
LAYERS: dict[str, tuple[Instrument, ...]] = {
    "cinematic": (Instrument("choir_layer", 52, role="pad"), Instrument("low_strings_layer", 49, role="pad")),
    "documentary": (
        Instrument("pizzicato_layer", 45, role="ostinato"),
        Instrument("string_section", 48, role="harmony"),
    ),
    "pop": (Instrument("lead_vocal", 53, role="melody"),),
    "hiphop": (Instrument("rap_vocal", 53, role=RAP_ROLE),),
}


#: genre → layers added over :data:`LAYERS` to a percussion ensemble (a band of drums only):
#: cinematic's timpani (GM 47) on the downbeats, rolling into the climax.
PERCUSSION_LAYERS: dict[str, tuple[Instrument, ...]] = {
    "cinematic": (Instrument("timpani_layer", 47, role="bass"),),
}
#: Genres whose chord layers (:data:`LAYERS` of role ``pad``), over a percussion ensemble, play
#: the chord on every beat and on the drums' groove, each hit as long as the mood articulates it,
#: rather than holding it: held, the loud choir and strings masked what the drums tell apart
#: between moods (mood within cinematic percussion .707 held against .836 in stabs, in the
#: renders' 21 features; heard as cinematic about as often, 15 of 36 against 16).
GROOVE_LAYER_GENRES = ("cinematic",)
#: (genre, subgenre) → the chord layers (:data:`LAYERS` of role ``pad``) that, over a band, play
#: the chords as the mood articulates them, as the band does: held in sustained moods, re-struck in
#: the style's rhythm at the mood's note length in legato and detached ones. Held through every mood,
#: the loud choir and strings made the moods sound alike (moods within the subgenre at a quarter of
#: the paper's scale, held → articulated: cinematic ambient .501 → .576, minimal .700 → .873,
#: orchestral .909 → .940). An orchestra's choir holds: articulated too (orchestral .963), it made
#: the cues sound like documentary music to the real-music tagger (17 of 22 heard as cinematic
#: against 22 of 22).
ARTICULATED_LAYERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("cinematic", "ambient"): ("choir_layer", "low_strings_layer"),
    ("cinematic", "minimal"): ("choir_layer", "low_strings_layer"),
    ("cinematic", "orchestral"): ("low_strings_layer",),
}


def layers_of(
    genre: str, *, room: int, band: Sequence[Instrument] = (), percussion_only: bool = False
) -> tuple[Instrument, ...]:
    """The :data:`LAYERS` of ``genre`` for ``band`` (a melody layer only if no instrument of the
    band plays the melody; a percussion ensemble's :data:`PERCUSSION_LAYERS` too), at most ``room``
    of them (the region's free channels)."""
    has_melody = any(i.role == "melody" and not i.drums for i in band)
    every = LAYERS.get(genre, ()) + (PERCUSSION_LAYERS.get(genre, ()) if percussion_only else ())
    layers = tuple(layer for layer in every if not (layer.role == "melody" and has_melody))
    return layers[: max(room, 0)]


#: genre → (steps per beat, duty) of the trance gate on its synth pads and chords: held notes
#: chopped into sixteenths, the sequenced pulse of electronic dance music (held pads alone are
#: heard as a choir, over a broken beat as R&B).
GATES: dict[str, tuple[int, float]] = {"electronica": (4, 0.55)}
#: Roles whose synth parts the gate chops.
GATED_ROLES = ("pad", "harmony")
#: Subgenres (genre, subgenre) of a gated genre whose pads and chords are held, not gated:
#: synthwave's held analog pads (gated, its moods within the subgenre .801 against GM's .867;
#: held, .834, and every render still heard as electronica).
UNGATED: tuple[tuple[str, str], ...] = (("electronica", "synthwave"),)


def gated(part: Part, descriptor: Descriptor, *, start: float, beat: float) -> Part:
    """``part`` with its held synth notes chopped by the :data:`GATES` of ``descriptor``'s genre (on
    the grid from ``start`` with ``beat`` s a beat); other parts, genres without a gate and the
    :data:`UNGATED` subgenres, as they are."""
    ungated = (descriptor.genre, descriptor.subgenre) in UNGATED
    gate = None if ungated else GATES.get(descriptor.genre)
    instrument = part.instrument
    synth = not instrument.drums and instrument.program in SYNTH_VOICES
    if gate is None or not synth or part.role not in GATED_ROLES:
        return part
    steps, duty = gate
    step = beat / steps
    notes = []
    for note in part.notes:
        t = note.start
        while t < note.end - 1e-6:
            end = min(t + duty * step, note.end)
            if end - t > 0.01:
                notes.append(Note(t, end, note.pitch, note.velocity))
            t = start + (np.floor((t - start) / step + 1e-6) + 1) * step  # the next grid step
    return evolve(part, notes=sorted(notes, key=lambda n: (n.start, n.pitch)))


#: Genres whose GM acoustic guitars (and harp) are played by the steel-string guitar voice of
#: :mod:`mirloop.renderer.guitar`, their comping chords strummed (:func:`strummed`): the GM
#: guitars' and harp's plucks are heard as a harpsichord or a harp, hence as classical music.
STRUM_GENRES = ("folk",)
#: GM programs played by the steel-string guitar in :data:`STRUM_GENRES`: nylon and steel guitars, harp.
ACOUSTIC_GUITARS = (24, 25, 46)
#: The strumming pattern over a bar of eighths: ``D`` a down stroke, ``U`` an up stroke, ``.`` none.
STRUM_PATTERN = "D.DU.UDU"
#: The strumming pattern of a compound meter (6/8 jigs), over two beats of three eighths: down, up,
#: down on each beat, every beat starting on a down stroke (the duple pattern over a compound beat
#: is a hemiola, heard as funk).
COMPOUND_STRUM_PATTERN = "DUDDUD"
#: Notes starting within this time (s) of a chord's first note belong to the chord.
CHORD_SPREAD = 0.03
#: Delay (s) between two strings of a strum.
STRUM_GAP = 0.011
#: Strings an up stroke catches (the highest), and how much softer it is (velocity).
UP_STRINGS, UP_SOFTER = 3, 18


def strum(chord: Sequence[Note], at: float, end: float, *, down: bool) -> list[Note]:
    """One stroke across ``chord`` at ``at`` s, ringing to ``end``: a down stroke from the lowest
    string up, an up stroke across the :data:`UP_STRINGS` highest from the top down, softer."""
    strings = sorted(chord, key=lambda n: n.pitch)
    if not down:
        strings = strings[::-1][:UP_STRINGS]
    return [
        Note(
            at + i * STRUM_GAP,
            max(end, at + i * STRUM_GAP + 0.03),
            n.pitch,
            n.velocity if down else max(1, n.velocity - UP_SOFTER),
        )
        for i, n in enumerate(strings)
    ]


def strummed(part: Part, genre: str, *, start: float, beat: float, compound: bool = False) -> Part:
    """``part`` strummed if it is a comping acoustic guitar of a :data:`STRUM_GENRES` genre: each
    chord (notes struck together) is played by the :data:`STRUM_PATTERN` of down and up strokes on
    the eighths it lasts (a ``compound`` meter's beat is three eighths, strummed by the
    :data:`COMPOUND_STRUM_PATTERN`), the first a down stroke, its two lowest notes doubled an
    octave below (a guitar's wider voicing); anything else as it is."""
    instrument = part.instrument
    if (
        genre not in STRUM_GENRES
        or instrument.drums
        or instrument.program not in ACOUSTIC_GUITARS
        or part.role != "harmony"
    ):
        return part
    step = beat / (3 if compound else 2)
    pattern = COMPOUND_STRUM_PATTERN if compound else STRUM_PATTERN
    chords: list[list[Note]] = []
    for note in sorted(part.notes, key=lambda n: n.start):
        if chords and note.start - chords[-1][0].start < CHORD_SPREAD:
            chords[-1].append(note)
        else:
            chords.append([note])
    notes: list[Note] = []
    for chord in chords:
        if len(chord) < 2:
            notes.extend(chord)
            continue
        low = sorted(chord, key=lambda n: n.pitch)[:2]
        chord = [*chord, *(Note(n.start, n.end, n.pitch - 12, n.velocity) for n in low if n.pitch - 12 >= 40)]
        on, end = chord[0].start, max(n.end for n in chord)
        index = int(np.floor((on - start) / step + 1e-6))
        strokes = [(on, True)]
        t = start + (index + 1) * step
        while t < end - 0.5 * step:
            stroke = pattern[(index + 1) % len(pattern)]
            if stroke != ".":
                strokes.append((t, stroke == "D"))
            index += 1
            t = start + (index + 1) * step
        for k, (at, down) in enumerate(strokes):
            until = strokes[k + 1][0] if k + 1 < len(strokes) else end
            notes.extend(strum(chord, at, until, down=down))
    return evolve(part, notes=sorted(notes, key=lambda n: (n.start, n.pitch)))


#: (genre, subgenre) → roles whose notes are slurred (:func:`slurred`): a Celtic session's fiddle and
#: whistle run their notes into each other (detached, the tunes over a plucked bass and a kit were
#: heard as blues and funk, hence jazz). The bass plays as the mood articulates it: slurred too, it
#: made the moods sound alike (moods within the subgenre at a quarter of the paper's scale .700,
#: articulated .786, GM .79; heard as folk 54 of 60 times against 57, seeds 0–5).
SLURS: dict[tuple[str, str], tuple[str, ...]] = {("folk", "celtic"): ("melody",)}
#: Longest a slurred note is held into a rest (beats).
SLUR_REACH = 1.0


def slurred(part: Part, descriptor: Descriptor, *, beat: float) -> Part:
    """``part`` with every note held on to the next one (at most :data:`SLUR_REACH` beats past its
    own end) when its role is slurred in the :data:`SLURS` of ``descriptor``'s subgenre; anything
    else as it is."""
    roles = SLURS.get((descriptor.genre, descriptor.subgenre), ())
    if part.instrument.drums or part.role not in roles or not part.notes:
        return part
    notes = sorted(part.notes, key=lambda n: (n.start, n.pitch))
    starts = sorted({n.start for n in notes})
    held = []
    for note in notes:
        later = [t for t in starts if t > note.start + 1e-6][:1]
        reach = note.end + SLUR_REACH * beat
        end = max(note.end, min(later[0], reach) if later else note.end)
        held.append(Note(note.start, end, note.pitch, note.velocity))
    return evolve(part, notes=held)


#: (genre, subgenre) → steps per beat of its arpeggiated octave bass (:func:`arpeggiated`): synthwave's
#: bass drives sixteenths, root and octave in turn (its sparse bass under the backbeat was heard as
#: R&B, hence hip-hop; driven in eighths, as pop).
ARPEGGIATED_BASS: dict[tuple[str, str], int] = {("electronica", "synthwave"): 4}
#: Longest a bass note's root is driven on before the next (beats).
ARPEGGIO_REACH = 4.0


def arpeggiated(part: Part, descriptor: Descriptor, *, start: float, beat: float) -> Part:
    """``part`` as an octave bass if it is the bass of an :data:`ARPEGGIATED_BASS` subgenre: from each
    note on (to the next, at most :data:`ARPEGGIO_REACH` beats), a note on every step of the grid
    from ``start``, the root on the even steps and its octave (up to MIDI 60) on the odd ones, each
    held for the share of its step the mood's articulation gives a note (staccato 0.35 … legato
    0.92: held alike, the moods of a synthwave lost their rhythm to the bass); anything else as it
    is."""
    steps = ARPEGGIATED_BASS.get((descriptor.genre, descriptor.subgenre))
    if steps is None or part.instrument.drums or part.role != "bass" or not part.notes:
        return part
    step = beat / steps
    length = note_gate(descriptor.style.articulation) * step
    notes = sorted(part.notes, key=lambda n: n.start)
    driven: list[Note] = []
    for k, note in enumerate(notes):
        following = notes[k + 1].start if k + 1 < len(notes) else note.end
        until = max(min(following, note.start + ARPEGGIO_REACH * beat), note.end)
        index = int(np.floor((note.start - start) / step + 1e-6))
        t = note.start
        while t < until - 0.5 * step:
            up = index % 2 == 1
            end = min(t + length, until)
            pitch = note.pitch + 12 if up and note.pitch + 12 <= 60 else note.pitch
            if end - t > 0.02:
                driven.append(Note(t, end, pitch, max(1, note.velocity - (10 if up else 0))))
            index += 1
            t = start + index * step
    return evolve(part, notes=driven)


#: Subgenres (genre, subgenre) whose 808 bass is their kick: the drum kit plays no kick of its own
#: (GM notes :data:`KICK_NOTES`). Trap's sampled kick, with hip-hop's drums in front, covered the
#: chords with its thump at every hit: trap's moods lost their major and minor (mood within the
#: subgenre on the harmony features alone .449 against GM's .620; without the kit's kick .636).
KICKLESS: tuple[tuple[str, str], ...] = (("hiphop", "trap"),)
#: GM drum notes of the kick (acoustic bass drum, bass drum 1).
KICK_NOTES = (35, 36)


def without_kick(part: Part, descriptor: Descriptor) -> Part:
    """``part`` without its kick notes if it is the drum kit of a :data:`KICKLESS` subgenre (hand
    percussion and orchestral kits excepted); anything else as it is."""
    kit = part.instrument.drums and part.instrument.name not in ACOUSTIC_ONLY
    if not kit or (descriptor.genre, descriptor.subgenre) not in KICKLESS:
        return part
    return evolve(part, notes=[n for n in part.notes if n.pitch not in KICK_NOTES])


#: Genres whose bass walks (:func:`walking`): a note on every beat, the chord's root, fifth and
#: octave, and a chromatic step onto the next root (the font's bass on the chord roots alone, a
#: handful of notes, left lounge combos heard as folk and ambient music).
WALKING_GENRES = ("jazz",)
#: The walk over the beats a root lasts (semitones above it), before its last beat's approach.
WALK = (0, 7, 12, 7)


def walking(part: Part, genre: str, *, start: float, beat: float) -> Part:
    """``part`` walking if it is the bass of a :data:`WALKING_GENRES` genre: from each note on to the
    next (at most :data:`ARPEGGIO_REACH` beats), a note on every beat of the grid from ``start``
    along :data:`WALK` (folded below MIDI 56), the last beat before the next note a semitone below
    or above it; anything else as it is."""
    if genre not in WALKING_GENRES or part.instrument.drums or part.role != "bass" or not part.notes:
        return part
    notes = sorted(part.notes, key=lambda n: n.start)
    walked: list[Note] = []
    for k, note in enumerate(notes):
        target = notes[k + 1].pitch if k + 1 < len(notes) else None
        following = notes[k + 1].start if k + 1 < len(notes) else note.end
        until = max(min(following, note.start + ARPEGGIO_REACH * beat), note.end)
        index = int(np.floor((note.start - start) / beat + 1e-6))
        t, count = note.start, 0
        while t < until - 0.5 * beat:
            end = min(start + (index + 1) * beat, until)
            if target is not None and count > 0 and end >= following - 1e-6:
                pitch = target - 1 if target >= note.pitch else target + 1  # the chromatic approach
            else:
                pitch = note.pitch + WALK[count % len(WALK)]
                pitch = pitch - 12 if pitch > 55 else pitch
            velocity = note.velocity if count % 2 == 0 else max(1, note.velocity - 8)
            walked.append(Note(t, end - 0.05 * beat, pitch, velocity))
            index, count = index + 1, count + 1
            t = start + index * beat
    return evolve(part, notes=walked)


#: genre → role → gain of its parts' mix level: hip-hop and dance records put drums and bass in
#: front and pads behind.
ROLE_GAINS: dict[str, dict[str, float]] = {
    "hiphop": {
        "percussion": 1.9,
        "bass": 1.35,
        "pad": 0.45,
        "harmony": 0.8,
        "ostinato": 0.8,
        "melody": 0.8,
        RAP_ROLE: 1.6,
    },
    "electronica": {"percussion": 1.6, "bass": 1.25, "pad": 0.6},
    "pop": {"percussion": 1.0, "bass": 1.1, "pad": 0.7, "melody": 2.0},
    "rock": {"percussion": 1.3},
    "folk": {"harmony": 1.5, "ostinato": 0.6},
}


#: (genre, subgenre) → role → gain, over :data:`ROLE_GAINS`: a Celtic session's frame drum stays
#: under the tunes (in front, its strokes were heard as funk).
SUBGENRE_ROLE_GAINS: dict[tuple[str, str], dict[str, float]] = {("folk", "celtic"): {"percussion": 0.4}}


#: Layer (:data:`LAYERS`) name → gain of its mix level, over :data:`ROLE_GAINS`: cinematic's choir
#: sings over the full orchestra (under it, the cue is heard as strings alone, hence documentary).
LAYER_GAINS: dict[str, float] = {"choir_layer": 1.8}


def role_gain(descriptor: Descriptor, part: Part) -> float:
    """The mix gain of ``part`` in ``descriptor``'s genre (:data:`ROLE_GAINS`,
    :data:`SUBGENRE_ROLE_GAINS`, :data:`LAYER_GAINS`)."""
    genre = descriptor.genre
    gains = {**ROLE_GAINS.get(genre, {}), **SUBGENRE_ROLE_GAINS.get((genre, descriptor.subgenre), {})}
    return LAYER_GAINS.get(part.instrument.name, gains.get(part.role, 1.0))


@frozen
class Master:
    """A master chain: glue compressor (threshold dBFS, ratio, attack and release ms, make-up dB)
    and shelving EQ (low shelf at 90 Hz, high shelf at 7 kHz, dB)."""

    threshold_db: float = -20.0
    ratio: float = 3.0
    attack_ms: float = 8.0
    release_ms: float = 120.0
    makeup_db: float = 4.0
    low_db: float = 0.0
    high_db: float = 0.0


#: genre → master chain.
MASTERS: dict[str, Master] = {
    "electronica": Master(threshold_db=-22.0, ratio=4.0, makeup_db=6.0, low_db=3.0, high_db=3.0),
    "pop": Master(threshold_db=-22.0, ratio=4.0, makeup_db=6.0, low_db=2.0, high_db=4.0),
    "hiphop": Master(threshold_db=-22.0, ratio=4.0, attack_ms=15.0, makeup_db=6.0, low_db=4.0, high_db=1.5),
    "rock": Master(threshold_db=-22.0, ratio=4.0, attack_ms=10.0, makeup_db=6.0, low_db=1.5, high_db=2.0),
}
#: genre → (reverb RT60 s, multiplier of the reverb send).
SPACES: dict[str, tuple[float, float]] = {
    "ambient": (5.0, 2.6),
    "cinematic": (3.2, 1.8),
    "documentary": (2.4, 1.4),
    "folk": (0.8, 0.45),
    "electronica": (1.4, 0.7),
    "hiphop": (0.9, 0.4),
    "rock": (1.2, 0.6),
}


def part_voice(part: Part, descriptor: Descriptor) -> str | None:
    """The NumPy voice that plays ``part`` in genre production (``None``: the GM font plays it)."""
    genre = descriptor.genre
    instrument = part.instrument
    if instrument.drums:
        drums_only = all(i.drums for band in descriptor.style.bands for i in band.instruments)
        if genre in TAIKO_GENRES and drums_only and instrument.name != "hand_percussion":
            return "kit:taiko"
        if instrument.name in ACOUSTIC_ONLY:
            return None
        kit = SUBGENRE_KITS.get((genre, descriptor.subgenre), KITS.get(genre))
        if kit is None and genre in MACHINE_KIT_GENRES and instrument.program in MACHINE_KIT_PROGRAMS:
            kit = "808"
        return f"kit:{kit}" if kit else None
    if instrument.role == RAP_ROLE:
        return "rap"
    if genre in VOCAL_GENRES and instrument.role == "melody":
        return "vocal"
    if genre in STRUM_GENRES and instrument.program in ACOUSTIC_GUITARS and instrument.role == "harmony":
        return "steel_guitar"
    if genre in PAD_DRONE_GENRES and instrument.program in DRONE_PROGRAMS and instrument.role == "pad":
        return "drone_pad"
    if genre not in SYNTH_GENRES:
        return None
    return GENRE_VOICES.get(genre, {}).get(instrument.program) or SYNTH_VOICES.get(instrument.program)


def part_voices(
    parts: Sequence[Part], descriptors: Sequence[Descriptor], *, production: str
) -> list[str | None]:
    """The voice of every part (all ``None`` unless ``production`` is ``"genre"``)."""
    if production != "genre":
        return [None] * len(parts)
    return [part_voice(part, descriptors[part.region]) for part in parts]


def band_guitar(instrument: Instrument, genre: str) -> Instrument:
    """A comping guitar of a :data:`GUITAR_GENRES` genre as a distortion guitar; anything else as it is."""
    if (
        genre in GUITAR_GENRES
        and not instrument.drums
        and instrument.program in GUITARS
        and instrument.role == "harmony"
    ):
        return evolve(instrument, program=DISTORTION_GUITAR)
    return instrument


def band_kit(instrument: Instrument, genre: str) -> Instrument:
    """A drum kit of a :data:`FONT_KITS` genre on that genre's kit (not hand percussion or an
    orchestral kit); anything else as it is."""
    kit = FONT_KITS.get(genre)
    if kit is None or not instrument.drums or instrument.name in ACOUSTIC_ONLY:
        return instrument
    return evolve(instrument, program=kit)


def doubled(instrument: Instrument, genre: str) -> bool:
    """Whether the part is double-tracked: the distorted comping guitars of :data:`GUITAR_GENRES`."""
    return genre in GUITAR_GENRES and instrument.program == DISTORTION_GUITAR and instrument.role == "harmony"


def second_take(part: Part) -> Part:
    """The double-tracked take of ``part``: :data:`DOUBLE_DELAY` late and a little softer (the mix
    puts a second part of the same role on the other side)."""
    return evolve(
        part,
        notes=[
            Note(n.start + DOUBLE_DELAY, n.end + DOUBLE_DELAY, n.pitch, max(1, n.velocity - 6))
            for n in part.notes
        ],
    )


def master_of(descriptor: Descriptor, *, production: str) -> Master | None:
    return MASTERS.get(descriptor.genre) if production == "genre" else None


def space_of(descriptor: Descriptor, *, production: str) -> tuple[float, float] | None:
    return SPACES.get(descriptor.genre) if production == "genre" else None
