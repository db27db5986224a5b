"""A synthesised singing voice: the lead vocal of the genre production's pop (``vocal`` voice).

A source–filter voice, as formant singing synthesis makes it:

- **source**: a band-limited pulse train (the difference of a band-limited saw: a flat spectrum,
  so the formant levels alone shape the voice) with breath noise, its pitch scooping up onto the
  note, with light delayed vibrato (5.5 Hz, an eighth of a semitone) and a slow random drift;
- **vocal tract**: five formant resonators in parallel (band-passes at the vowel's formant
  frequencies, bandwidths and levels, :data:`VOWELS`: a man's up to :data:`MALE_TOP`, a
  woman's above); a note is sung as one syllable per :data:`SYLLABLE` s or so, each with a vowel of
  its own, and syllables long enough glide to a second vowel (a diphthong, as in "day", "go");
- **consonants**: most syllables start with a short fricative or plosive noise burst;
- **production**: doubled like a pop lead vocal (a second take a few cents sharp, 17 ms late, on
  the sides, the first in the centre), with a presence lift.

Notes are folded by octaves into a singer's range (:data:`VOCAL_RANGE`) and sung at least
:data:`MIN_SYLLABLE` s long. Every random choice (vowels, consonant, drift) comes from the
note's generator, so a note's samples depend only on pitch, length, sample rate and seed.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

from mirloop.renderer.voices import TWO_PI, VOICE_LEVEL, _bandpass, _highpass, adsr, hz, saw

#: Formants of sung vowels: register → vowel → (frequencies Hz, levels dB, bandwidths Hz) of
#: F1–F5. F1–F3 are the spoken vowels' (Peterson and Barney's women and men), with the bright,
#: speech-like upper formants of a pop voice rather than the dark ones of classical singing.
VOWELS: dict[str, dict[str, tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]]] = {
    "female": {
        "a": ((850, 1220, 2810, 3800, 4950), (0, -5, -14, -20, -28), (80, 90, 120, 180, 250)),
        "e": ((610, 2330, 2990, 3900, 4950), (0, -10, -12, -20, -28), (60, 100, 120, 180, 250)),
        "i": ((310, 2790, 3310, 4000, 4950), (0, -12, -14, -20, -28), (50, 100, 120, 180, 250)),
        "o": ((590, 920, 2710, 3800, 4950), (0, -6, -18, -22, -30), (70, 80, 120, 180, 250)),
        "u": ((370, 950, 2670, 3800, 4950), (0, -10, -22, -26, -32), (50, 70, 120, 180, 250)),
    },
    "male": {
        "a": ((730, 1090, 2440, 3400, 4500), (0, -5, -14, -20, -28), (80, 90, 120, 180, 250)),
        "e": ((530, 1840, 2480, 3400, 4500), (0, -10, -12, -20, -28), (60, 100, 120, 180, 250)),
        "i": ((270, 2290, 3010, 3500, 4500), (0, -12, -14, -20, -28), (50, 100, 120, 180, 250)),
        "o": ((570, 840, 2410, 3400, 4500), (0, -6, -18, -22, -30), (70, 80, 120, 180, 250)),
        "u": ((300, 870, 2240, 3400, 4500), (0, -10, -22, -26, -32), (50, 70, 120, 180, 250)),
    },
}
#: How often a syllable takes each vowel (open vowels, as sung pop favours them).
VOWEL_WEIGHTS = {"a": 0.3, "e": 0.2, "i": 0.15, "o": 0.25, "u": 0.1}
#: Pitches (MIDI) a note is folded into by octaves (a male pop singer's range, C3–G4), and the
#: highest pitch sung with a man's formants (above it, a woman's: unused in this range). A woman's
#: range (G3–D5) was heard as `rnb` and `soul` over the pop grooves, and higher still as `opera`.
VOCAL_RANGE = (48, 67)
MALE_TOP = 67
#: Shortest sung syllable (s); a syllable this long or longer glides to a second vowel from
#: :data:`DIPHTHONG_FROM` s on.
MIN_SYLLABLE = 0.16
DIPHTHONG_FROM = 0.35
#: Length (s) of a syllable: a longer note is sung as several syllables on its pitch.
SYLLABLE = 0.3
#: Onsets of a syllable and how often each is sung.
CONSONANTS = ("fricative", "plosive", "none")
CONSONANT_WEIGHTS = (0.4, 0.35, 0.25)
#: Vibrato rate (Hz) and depth (semitones), its delay and ramp (s); the scoop onto the note
#: (semitones below, s).
VIBRATO = (5.5, 0.12, 0.3, 0.3)
SCOOP = (0.7, 0.05)
#: Level of the breath noise beside the glottal pulses.
BREATH = 0.15
#: The double: detune (cents), delay (s) and level.
DOUBLE = (4.0, 0.017, 0.4)


def fold(pitch: int, low: int = VOCAL_RANGE[0], high: int = VOCAL_RANGE[1]) -> int:
    """``pitch`` moved by octaves into ``[low, high]``."""
    while pitch > high:
        pitch -= 12
    while pitch < low:
        pitch += 12
    return pitch


def resonator(signal: np.ndarray, freq: float, bandwidth: float, sr: int) -> np.ndarray:
    """A two-pole band-pass at ``freq`` (0 dB at its peak) of ``bandwidth`` Hz."""
    w0 = TWO_PI * min(freq, 0.45 * sr) / sr
    alpha = np.sin(w0) * bandwidth / (2 * freq)  # sin(w0) / 2Q, Q = freq / bandwidth
    b = np.array([alpha, 0.0, -alpha])
    a = np.array([1 + alpha, -2 * np.cos(w0), 1 - alpha])
    return np.asarray(lfilter(b / a[0], a / a[0], signal))


def vocal_tract(source: np.ndarray, vowel: str, register: str, sr: int) -> np.ndarray:
    """``source`` through the five formant resonators of ``vowel`` (:data:`VOWELS`) in parallel."""
    freqs, levels, widths = VOWELS[register][vowel]
    out = np.zeros_like(source)
    for f, level, width in zip(freqs, levels, widths):
        out += 10 ** (level / 20) * resonator(source, f, width, sr)
    return out


def _drift(n: int, sr: int, rng: np.random.Generator, cents: float) -> np.ndarray:
    """A slow random pitch drift (ratio), about ``cents`` deep, changing a few times a second."""
    knots = rng.standard_normal(max(2, int(n / sr * 6) + 2))
    curve = np.interp(np.arange(n) / sr * 6, np.arange(len(knots)), knots)
    return np.asarray(2 ** (cents * curve / 1200))


def sing(
    pitch: int,
    length: float,
    sr: int,
    rng: np.random.Generator,
    *,
    vowels: tuple[str, str],
    consonant: str,
    scoop: float = SCOOP[0],
    detune_cents: float = 0.0,
) -> np.ndarray:
    """One take of a syllable (mono, with its release): glottal source, vowel glide, consonant
    (``"fricative"``, ``"plosive"`` or ``"none"``); ``scoop`` semitones below the note at its onset."""
    release = 0.14
    n, gate = int((length + release) * sr), max(1, int(length * sr))
    t = np.arange(n) / sr
    rate, depth, delay, ramp = VIBRATO
    onset = np.clip((t - delay) / ramp, 0, 1)
    vibrato = depth * np.sin(TWO_PI * rate * t + TWO_PI * float(rng.random())) * onset
    glide_up = -scoop * np.exp(-t / SCOOP[1])
    f0 = hz(pitch) * 2 ** ((vibrato + glide_up + detune_cents / 100) / 12) * _drift(n, sr, rng, 6.0)
    source = glottal_source(f0, sr, rng, breath=(BREATH, 1200.0))
    register = "male" if pitch <= MALE_TOP else "female"
    glide = (0.6, 0.25, 0.05) if length >= DIPHTHONG_FROM else None
    voiced = articulated(source, vowels, register, sr, length=length, glide=glide)
    out = voiced / (np.max(np.abs(voiced)) + 1e-9) * adsr(n, sr, gate, 0.035, 0.4, 0.85, release)
    add_consonant(out, consonant, sr, rng, fricative=(0.06, 4200.0), plosive_cutoff=1800.0, level=0.18)
    return np.asarray(out)


def glottal_source(
    f0: np.ndarray, sr: int, rng: np.random.Generator, *, breath: tuple[float, float]
) -> np.ndarray:
    """A voice's source along the pitch curve ``f0`` (Hz per sample): a flat, band-limited pulse
    train with breath noise that swells with each glottal cycle; ``breath`` = (its level, its
    lowest frequency; it reaches 9000 Hz)."""
    level, lowest = breath
    n = len(f0)
    pulses = np.diff(saw(np.append(f0, f0[-1]), n + 1, sr, float(rng.random())))
    glottal = pulses - np.mean(pulses)
    noise = _bandpass(rng.standard_normal(n), lowest, 9000.0, sr) * level
    return np.asarray(glottal + noise * (1 + 0.5 * np.sin(TWO_PI * np.cumsum(f0) / sr)))


def articulated(
    source: np.ndarray,
    vowels: tuple[str, str],
    register: str,
    sr: int,
    *,
    length: float,
    glide: tuple[float, float, float] | None,
) -> np.ndarray:
    """``source`` through the first vowel's tract, gliding into the second's when they differ and
    ``glide`` is given: ``(start, span, least span)``, the start and span as shares of ``length``."""
    first = vocal_tract(source, vowels[0], register, sr)
    if vowels[1] == vowels[0] or glide is None:
        return first
    start, span, least = glide
    second = vocal_tract(source, vowels[1], register, sr)
    t = np.arange(len(source)) / sr
    share = np.clip((t - start * length) / max(span * length, least), 0.0, 1.0)
    return np.asarray(first + share * (second - first))


def add_consonant(
    out: np.ndarray,
    consonant: str,
    sr: int,
    rng: np.random.Generator,
    *,
    fricative: tuple[float, float],
    plosive_cutoff: float,
    level: float,
) -> None:
    """Add a syllable's onset to ``out`` in place: a ``"fricative"`` (``fricative`` = seconds,
    high-pass cutoff) or a 12-ms ``"plosive"`` burst of high-passed noise, decaying; ``"none"``
    adds nothing."""
    if consonant == "none":
        return
    seconds, cutoff = fricative if consonant == "fricative" else (0.012, plosive_cutoff)
    noise = _highpass(rng.standard_normal(min(int(seconds * sr), len(out))), cutoff, sr)
    out[: len(noise)] += noise * np.exp(-np.arange(len(noise)) / max(len(noise) / 3, 1)) * level


def syllables(length: float) -> int:
    """How many syllables a note of ``length`` s is sung as (one per :data:`SYLLABLE` s or so)."""
    return max(1, round(length / SYLLABLE))


def vocal(pitch: int, velocity: int, length: float, sr: int, rng: np.random.Generator) -> np.ndarray:
    """A doubled pop lead vocal singing one note (stereo ``(2, n)``; see the module): a syllable,
    or for a long note several on its pitch, each with its own vowels and consonant."""
    pitch = fold(pitch)
    length = max(length, MIN_SYLLABLE)
    names = list(VOWEL_WEIGHTS)
    weights = np.array(list(VOWEL_WEIGHTS.values()))
    cents, delay, level = DOUBLE
    count = syllables(length)
    span = length / count
    shift = int(delay * sr)
    size = int((length + 0.14) * sr) + 2
    lead, take = np.zeros(size + shift), np.zeros(size + shift)
    for k in range(count):
        vowels = (str(rng.choice(names, p=weights)), str(rng.choice(names, p=weights)))
        consonant = str(rng.choice(CONSONANTS, p=CONSONANT_WEIGHTS))
        scoop = SCOOP[0] if k == 0 else SCOOP[0] / 3
        at = int(k * span * sr)
        one = sing(pitch, span, sr, rng, vowels=vowels, consonant=consonant, scoop=scoop)
        lead[at : at + len(one)] += one
        two = sing(pitch, span, sr, rng, vowels=vowels, consonant=consonant, scoop=scoop, detune_cents=cents)
        take[at + shift : at + shift + len(two)] += two
    end = size
    double = take[:end]
    wide = np.concatenate([np.zeros(shift // 2), take[shift:]])[:end]
    lead = lead[:end]
    presence = lead + 0.35 * _highpass(lead, 3000.0, sr)
    gain = VOICE_LEVEL * (velocity / 127.0) ** 1.3 * 0.8
    return np.vstack([presence + level * double, presence + level * wide]) * gain
