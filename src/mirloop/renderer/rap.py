"""A rapper: the flow of a hip-hop verse (:func:`flow_part`) and the spoken voice that raps it
(:func:`rap`, the ``rap`` voice of the genre production's hip-hop).

- **Flow**: syllables on the sixteenth grid (swung with the beat), most eighths taken and some
  sixteenths between them, accents on the beats; two-bar lines, each ending on a longer syllable
  on the last beat followed by a breath; the intro is left to the beat.
- **Intonation**: speech, not song: a speaking pitch (the tonic folded into :data:`RAP_RANGE`,
  a man's speaking voice), each line starting up to two semitones above it and falling, and every
  syllable falling a little (the declination of spoken phrases); no vibrato.
- **Voice**: the source–filter voice of :mod:`mirloop.renderer.vocal` (a band-limited pulse
  train with breath noise through five formant resonators of a man's vowels), one vowel or a
  short glide per syllable, a plosive or fricative onset on most syllables, a speech envelope
  (quick attack, falling level), single-tracked in the centre with a presence lift.

Every random choice of a syllable (vowels, consonant, drift) comes from the note's generator, so a
syllable's samples depend only on pitch, length, sample rate and seed; the flow's articulation
varies the syllables' lengths, so repeated syllables are rarely the same.
"""

from __future__ import annotations

import random

import numpy as np

from mirloop.renderer.context import RegionContext
from mirloop.renderer.score import Note
from mirloop.renderer.vocal import VOWEL_WEIGHTS, _drift, add_consonant, articulated, fold, glottal_source
from mirloop.renderer.voices import VOICE_LEVEL, _highpass, adsr, hz

#: Speaking pitches (MIDI) of the rapper's voice (A2–F#3, about 110–185 Hz: a man's voice raised
#: to deliver a verse).
RAP_RANGE = (45, 54)
#: Bars per line of the verse.
LINE_BARS = 2
#: Chance that an eighth, and a sixteenth between eighths, carries a syllable.
ON_EIGHTH, ON_SIXTEENTH = 0.85, 0.4
#: A syllable lasts this share of the time to the next one (drawn uniformly: speech's articulation).
ARTICULATION = (0.55, 0.9)
#: Longest syllable (s).
LONGEST = 0.4
#: Onsets of a syllable and how often each is spoken.
CONSONANTS = ("plosive", "fricative", "none")
CONSONANT_WEIGHTS = (0.45, 0.4, 0.15)
#: Level of the breath noise beside the glottal pulses (more than the sung voice's).
BREATH = 0.25
#: How far (semitones) a syllable's pitch falls over its length.
FALL = 1.5
#: Range (semitones above the speaking pitch) a line starts from, falling to a semitone under it;
#: stressed syllables (on the beat, on an eighth) rise above the line, the line's last falls.
LINE_TOP = (2.0, 4.0)
STRESS = (2, 1)
FINAL_DROP = 2
#: Depth (cents) of the voice's slow pitch wander.
WANDER = 35.0


def flow_part(ctx: RegionContext, active: list[bool], rng: random.Random) -> list[Note]:
    """The verse's syllables (see the module) in every bar where the band plays, after the intro."""
    meter = ctx.meter
    steps = meter.steps_per_bar
    per_beat = meter.steps
    eighth = max(1, per_beat // 2)
    base = fold(ctx.tonic, *RAP_RANGE)
    notes: list[Note] = []
    verse = [bar for bar, playing in enumerate(active) if playing and ctx.form.sections[bar] != "intro"]
    for k, bar in enumerate(verse):
        line_end = k % LINE_BARS == LINE_BARS - 1
        last_beat = (meter.beats_per_bar - 1) * per_beat
        onsets = []
        for step in range(steps):
            if line_end and step > last_beat:
                break  # the breath at the end of the line
            on_eighth = step % eighth == 0
            if step == 0 or (line_end and step == last_beat) or rng.random() < (
                ON_EIGHTH if on_eighth else ON_SIXTEENTH
            ):
                onsets.append(step)
        times = [meter.step_time(bar, s) for s in onsets]
        bar_end = meter.step_time(bar + 1, 0)
        if k % LINE_BARS == 0:
            top = rng.uniform(*LINE_TOP)
        for i, (step, at) in enumerate(zip(onsets, times)):
            position = (k % LINE_BARS + step / steps) / LINE_BARS  # 0 … 1 through the line
            final = line_end and step == last_beat
            stress = STRESS[0] if step % per_beat == 0 else STRESS[1] if step % eighth == 0 else 0
            contour = top * (1 - position) - 1 + stress + rng.choice((-1, 0, 0, 1))
            pitch = base + round(contour) - (FINAL_DROP if final else 0)
            following = times[i + 1] if i + 1 < len(times) else bar_end
            share = 0.95 if final else rng.uniform(*ARTICULATION)
            length = min((following - at) * share, LONGEST if not final else 2 * LONGEST)
            if at >= ctx.end - 0.02:
                break
            accent = 0.6 if step % per_beat == 0 else -0.2
            end = min(at + max(length, 0.06), ctx.end)
            notes.append(Note(at, end, pitch, ctx.velocity(bar, accent, rng)))
    return notes


def speak(
    pitch: int, length: float, sr: int, rng: np.random.Generator, *, vowels: tuple[str, str], consonant: str
) -> np.ndarray:
    """One spoken syllable (mono, with its release): the pitch falling :data:`FALL` semitones over
    it, ``vowels`` (a glide when they differ), a ``consonant`` onset."""
    release = 0.06
    n, gate = int((length + release) * sr), max(1, int(length * sr))
    t = np.arange(n) / sr
    fall = -FALL * np.clip(t / max(length, 1e-3), 0.0, 1.0) + 0.6 * np.exp(-t / 0.03)
    f0 = hz(pitch) * 2 ** (fall / 12) * _drift(n, sr, rng, WANDER)
    source = glottal_source(f0, sr, rng, breath=(BREATH, 1000.0))
    voiced = articulated(source, vowels, "male", sr, length=length, glide=(0.4, 0.4, 0.03))
    out = voiced / (np.max(np.abs(voiced)) + 1e-9) * adsr(n, sr, gate, 0.012, 0.12, 0.6, release)
    add_consonant(out, consonant, sr, rng, fricative=(0.05, 3800.0), plosive_cutoff=1500.0, level=0.3)
    return np.asarray(out)


def rap(pitch: int, velocity: int, length: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A rapped syllable on ``pitch`` (folded into :data:`RAP_RANGE`), stereo ``(2, n)`` in the centre."""
    names = list(VOWEL_WEIGHTS)
    weights = np.array(list(VOWEL_WEIGHTS.values()))
    first = str(rng.choice(names, p=weights))
    second = str(rng.choice(names, p=weights)) if length >= 0.15 and rng.random() < 0.5 else first
    consonant = str(rng.choice(CONSONANTS, p=CONSONANT_WEIGHTS))
    pitch, length = fold(pitch, *RAP_RANGE), max(length, 0.06)
    spoken = speak(pitch, length, sr, rng, vowels=(first, second), consonant=consonant)
    presence = spoken + 0.5 * _highpass(spoken, 2500.0, sr)
    gain = VOICE_LEVEL * (velocity / 127.0) ** 1.3 * 0.8
    return np.vstack([presence, presence]) * gain
