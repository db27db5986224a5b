"""Deterministic test audio with known ground truth (tempo, key, section boundaries).

Every generator returns :class:`~mirloop.types.Audio` (mono float32, peak ≤ 1) at ``sr`` Hz
and takes a ``seed`` where randomness is involved, so tests and benchmarks can state exactly
what the right answer is::

    from mirloop.testing.signals import drum_pattern, cadence
    drums = drum_pattern(bpm=128, duration=20.0)          # tempo truth: 128 BPM
    tune = cadence("F#", "minor", chord_seconds=1.0)       # key truth: F# minor
"""

from __future__ import annotations

import numpy as np
from attrs import frozen

from mirloop.errors import InvalidValueError
from mirloop.types import Audio
from mirloop.types.estimates import PITCH_CLASSES

DEFAULT_SR = 22050

#: Scale degrees (semitones above the tonic) of the chord roots and qualities of the cadences.
_CADENCES: dict[str, tuple[tuple[int, str], ...]] = {
    "major": ((0, "major"), (5, "major"), (7, "major"), (0, "major")),  # I IV V I
    "minor": ((0, "minor"), (5, "minor"), (7, "major"), (0, "minor")),  # i iv V i
}
#: Modal minor progressions with the flat seventh (no leading tone), common in popular music.
_MODAL: dict[str, tuple[tuple[int, str], ...]] = {
    "aeolian": ((0, "minor"), (8, "major"), (10, "major"), (0, "minor")),  # i VI VII i
    "dorian": ((0, "minor"), (5, "major"), (0, "minor"), (10, "major")),  # i IV i VII
}
_TRIADS = {"major": (0, 4, 7), "minor": (0, 3, 7)}


def _finish(samples: np.ndarray, sr: int, source: str, peak: float = 0.8) -> Audio:
    top = float(np.max(np.abs(samples))) if samples.size else 0.0
    if top > 0:
        samples = samples * (peak / top)
    return Audio(samples.astype(np.float32), sr, source=source)


def _tonic_index(tonic: str) -> int:
    aliases = {"Db": "C#", "D#": "Eb", "Gb": "F#", "G#": "Ab", "A#": "Bb"}
    name = aliases.get(tonic, tonic)
    if name not in PITCH_CLASSES:
        raise InvalidValueError(f"unknown tonic {tonic!r}; use one of {', '.join(PITCH_CLASSES)}")
    return PITCH_CLASSES.index(name)


def silence(duration: float, *, sr: int = DEFAULT_SR) -> Audio:
    """``duration`` seconds of digital silence."""
    return Audio(np.zeros(round(duration * sr), dtype=np.float32), sr, source="silence")


def noise(duration: float, *, sr: int = DEFAULT_SR, level: float = 0.3, seed: int = 0) -> Audio:
    """White Gaussian noise with standard deviation ``level``, clipped to [-1, 1]."""
    rng = np.random.default_rng(seed)
    samples = np.clip(rng.standard_normal(round(duration * sr)) * level, -1.0, 1.0)
    return Audio(samples.astype(np.float32), sr, source="noise")


def click_track(bpm: float, duration: float, *, sr: int = DEFAULT_SR, offset: float = 0.0) -> Audio:
    """A 1-kHz click (20 ms, exponential decay) on every beat at ``bpm``, from ``offset`` s."""
    out = np.zeros(round(duration * sr), dtype=np.float64)
    n = int(0.02 * sr)
    t = np.arange(n) / sr
    click = np.sin(2 * np.pi * 1000.0 * t) * np.exp(-t / 0.004)
    for beat in np.arange(offset, duration, 60.0 / bpm):
        start = round(beat * sr)
        stop = min(start + n, len(out))
        out[start:stop] += click[: stop - start]
    return _finish(out, sr, f"click_{bpm:g}bpm")


def _kick(sr: int) -> np.ndarray:
    t = np.arange(int(0.25 * sr)) / sr
    freq = 50.0 + 100.0 * np.exp(-t / 0.03)
    return np.sin(2 * np.pi * np.cumsum(freq) / sr) * np.exp(-t / 0.08)


def _snare(sr: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.2 * sr)) / sr
    body = 0.5 * np.sin(2 * np.pi * 185.0 * t) * np.exp(-t / 0.04)
    return body + rng.standard_normal(len(t)) * np.exp(-t / 0.05) * 0.6


def _hat(sr: int, rng: np.random.Generator) -> np.ndarray:
    n = int(0.06 * sr)
    white = rng.standard_normal(n + 1)
    bright = np.diff(white)  # first difference: a crude high-pass
    return 0.25 * bright * np.exp(-np.arange(n) / sr / 0.012)


def drum_pattern(bpm: float, duration: float, *, sr: int = DEFAULT_SR, seed: int = 0) -> Audio:
    """A straight 4/4 rock beat at ``bpm``: kick on 1 and 3, snare on 2 and 4, closed hats on eighths.

    The beat (quarter note) is the tempo truth; eighth-note hats are quieter than kick and
    snare, as in most pop and rock grooves.
    """
    rng = np.random.default_rng(seed)
    out = np.zeros(round(duration * sr), dtype=np.float64)
    kick, snare, hat = _kick(sr), _snare(sr, rng), _hat(sr, rng)
    beat = 60.0 / bpm

    def place(sound: np.ndarray, time: float, gain: float) -> None:
        start = round(time * sr)
        stop = min(start + len(sound), len(out))
        if start < len(out):
            out[start:stop] += gain * sound[: stop - start]

    for i, time in enumerate(np.arange(0.0, duration, beat)):
        place(kick if i % 2 == 0 else snare, time, 1.0)
        place(hat, time, 0.8)
        place(hat, time + beat / 2, 0.5)
    return _finish(out, sr, f"drums_{bpm:g}bpm")


def _tone(freq: float, n: int, sr: int, brightness: float) -> np.ndarray:
    """Additive tone: harmonics ``k`` with amplitude ``k ** -brightness`` (below Nyquist)."""
    t = np.arange(n) / sr
    out = np.zeros(n)
    for k in range(1, 9):
        if k * freq < sr / 2 - 500:
            out += k**-brightness * np.sin(2 * np.pi * k * freq * t)
    return out


def _envelope(n: int, sr: int, attack: float = 0.01, release: float = 0.08) -> np.ndarray:
    env = np.ones(n)
    a, r = min(int(attack * sr), n // 2), min(int(release * sr), n // 2)
    env[:a] = np.linspace(0.0, 1.0, a)
    env[n - r :] = np.linspace(1.0, 0.0, r)
    return env * np.exp(-np.arange(n) / sr / 1.5)


def chord_progression(
    tonic: str,
    mode: str,
    *,
    chord_seconds: float = 1.0,
    repeats: int = 2,
    sr: int = DEFAULT_SR,
    octave: int = 4,
    brightness: float = 1.5,
    progression: str = "cadence",
) -> np.ndarray:
    """Raw samples of the cadence (see :func:`cadence`), not normalised.

    ``progression="aeolian"`` (i–VI–VII–i) or ``"dorian"`` (i–IV–i–VII) plays a modal minor
    progression with the flat seventh instead; ``mode`` must then be ``"minor"``.
    """
    if mode not in _CADENCES:
        raise InvalidValueError(f"mode must be 'major' or 'minor', got {mode!r}")
    if progression != "cadence" and (progression not in _MODAL or mode != "minor"):
        raise InvalidValueError(
            f"progression must be 'cadence', or 'aeolian'/'dorian' in minor, got {progression!r}"
        )
    chord_list = _CADENCES[mode] if progression == "cadence" else _MODAL[progression]
    root_midi = 12 * (octave + 1) + _tonic_index(tonic)
    n = round(chord_seconds * sr)
    chords = []
    for degree, quality in chord_list * repeats:
        notes = [root_midi + degree + step for step in _TRIADS[quality]]
        bass = root_midi + degree - 24
        chord = sum(_tone(440.0 * 2 ** ((m - 69) / 12), n, sr, brightness) for m in notes)
        chord = chord + 0.8 * _tone(440.0 * 2 ** ((bass - 69) / 12), n, sr, brightness)
        chords.append(chord * _envelope(n, sr))
    return np.concatenate(chords)


def cadence(
    tonic: str,
    mode: str,
    *,
    chord_seconds: float = 1.0,
    repeats: int = 2,
    sr: int = DEFAULT_SR,
    octave: int = 4,
) -> Audio:
    """The cadence I–IV–V–I (major) or i–iv–V–i (minor, with the raised leading tone in V).

    Triads in ``octave`` (4: around middle C) over the chord root two octaves lower, each a
    sum of harmonics with amplitudes ``k ** -1.5``; ``repeats`` times through, one chord every
    ``chord_seconds`` s. Key truth: ``Key(tonic, mode)``.
    """
    samples = chord_progression(
        tonic, mode, chord_seconds=chord_seconds, repeats=repeats, sr=sr, octave=octave
    )
    return _finish(samples, sr, f"cadence_{tonic}_{mode}")


@frozen(eq=False)
class SplicedTrack:
    """Concatenated sections: the audio, the true inner boundaries (s) and the section types."""

    audio: Audio
    boundaries: tuple[float, ...]
    labels: tuple[str, ...]


def _texture(kind: str, duration: float, sr: int, seed: int) -> np.ndarray:
    n = round(duration * sr)
    if kind == "A":  # bright chords in C major over a 120-BPM rock beat
        chords = chord_progression("C", "major", chord_seconds=2.0, repeats=int(np.ceil(duration / 8)), sr=sr)
        drums = drum_pattern(120.0, duration, sr=sr, seed=seed).samples
        return 0.5 * chords[:n] / np.abs(chords).max() + 0.5 * drums[:n]
    if kind == "B":  # a dark sustained pad in F# minor, no drums
        pad = chord_progression(
            "F#",
            "minor",
            chord_seconds=2.0,
            repeats=int(np.ceil(duration / 8)),
            sr=sr,
            octave=3,
            brightness=0.7,
        )
        return 0.8 * pad[:n] / np.abs(pad).max()
    if kind == "C":  # filtered noise with sparse 1-kHz pings at 75 BPM
        rng = np.random.default_rng(seed + 1)
        hiss = np.convolve(rng.standard_normal(n), np.ones(8) / 8, mode="same") * 0.3
        return hiss + 0.6 * click_track(75.0, duration, sr=sr).samples[:n]
    raise InvalidValueError(f"unknown texture {kind!r}; use 'A', 'B' or 'C'")


def spliced_sections(
    layout: str = "ABA", *, section_seconds: float = 20.0, sr: int = DEFAULT_SR, seed: int = 0
) -> SplicedTrack:
    """Sections of contrasting texture and key concatenated in ``layout`` order.

    ``A`` is C-major chords over a 120-BPM rock beat, ``B`` an F#-minor pad without drums,
    ``C`` noise with 75-BPM pings. Each section lasts ``section_seconds``; the true
    boundaries are the multiples of it.
    """
    parts = [_texture(kind, section_seconds, sr, seed + i) for i, kind in enumerate(layout)]
    samples = np.concatenate(parts)
    boundaries = tuple(section_seconds * i for i in range(1, len(layout)))
    return SplicedTrack(_finish(samples, sr, f"spliced_{layout}"), boundaries, tuple(layout))
