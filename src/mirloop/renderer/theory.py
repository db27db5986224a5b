"""Scales, modes and Roman-numeral chords realised in a key.

Pitch classes are integers 0–11 (C = 0). A Roman numeral names a degree of the region's scale
(``VI`` in A minor is F); an explicit accidental (``bVII``, ``#iv``) is relative to the major
scale on the same tonic, as in pop and jazz usage.
"""

from __future__ import annotations

import re

from attrs import frozen

from mirloop.errors import RenderError
from mirloop.types.spelling import pitch_class as pitch_class  # the one reader of pitch names

#: Heptatonic scales as semitone offsets from the tonic.
SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "ionian": (0, 2, 4, 5, 7, 9, 11),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "natural minor": (0, 2, 3, 5, 7, 8, 10),
    "aeolian": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
    "harmonic minor": (0, 2, 3, 5, 7, 8, 11),
    "melodic minor": (0, 2, 3, 5, 7, 9, 11),
}

#: Gapped scales: melody notes come from these, chords from the parent heptatonic scale.
GAPPED: dict[str, tuple[tuple[int, ...], str]] = {
    "major pentatonic": ((0, 2, 4, 7, 9), "major"),
    "pentatonic major": ((0, 2, 4, 7, 9), "major"),
    "pentatonic minor": ((0, 3, 5, 7, 10), "minor"),
    "pentatonic": ((0, 2, 4, 7, 9), "major"),
    "minor pentatonic": ((0, 3, 5, 7, 10), "minor"),
    "blues": ((0, 3, 5, 6, 7, 10), "minor"),
    "major blues": ((0, 2, 3, 4, 7, 9), "mixolydian"),
}

MAJOR_FAMILY = frozenset(
    {
        "major",
        "ionian",
        "lydian",
        "mixolydian",
        "major pentatonic",
        "pentatonic",
        "pentatonic major",
        "major blues",
    }
)

_NAMES = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_NUMERALS = {"i": 0, "ii": 1, "iii": 2, "iv": 3, "v": 4, "vi": 5, "vii": 6}
_ROMAN = re.compile(
    r"^(?P<acc>[b#♭♯]?)(?P<num>vii|vi|v|iv|iii|ii|i)(?P<qual>°|o|dim|ø|\+|aug)?"
    r"(?P<ext>maj7|m7|7|9|11|6|sus2|sus4|add9|add2|5)?$",
    re.IGNORECASE,
)


def normalise_scale(name: str) -> str:
    """A scale name in canonical spelling (``"Dorian"`` → ``"dorian"``, ``"minor_pentatonic"`` too)."""
    key = name.strip().lower().replace("_", " ").replace("-", " ")
    if key not in SCALES and key not in GAPPED:
        known = ", ".join(sorted({*SCALES, *GAPPED}))
        raise RenderError(f"unknown scale {name!r}; known scales: {known}")
    return key


def scale_mode(name: str) -> str:
    """``major`` or ``minor``: the key mode a scale is heard as (its third)."""
    return "major" if normalise_scale(name) in MAJOR_FAMILY else "minor"


def harmony_scale(name: str) -> tuple[int, ...]:
    """The heptatonic scale chords are built from (a gapped scale's parent)."""
    key = normalise_scale(name)
    if key in GAPPED:
        return SCALES[GAPPED[key][1]]
    return SCALES[key]


def melody_scale(name: str) -> tuple[int, ...]:
    """The notes a melody or ostinato may use."""
    key = normalise_scale(name)
    return GAPPED[key][0] if key in GAPPED else SCALES[key]




@frozen
class Chord:
    """A chord as pitch classes: ``root`` and ``tones`` (root first, then third, fifth, extensions)."""

    symbol: str
    root: int
    tones: tuple[int, ...]


_TRIADS = {"major": (0, 4, 7), "minor": (0, 3, 7), "dim": (0, 3, 6), "aug": (0, 4, 8)}


def parse_numeral(symbol: str, tonic: int, scale: tuple[int, ...]) -> Chord:
    """Realise a Roman numeral (``I``, ``vi``, ``bVII``, ``V7``, ``ii°``, ``IVmaj7``, ``Isus4``) in a key."""
    match = _ROMAN.match(symbol.strip())
    if match is None:
        raise RenderError(f"cannot read the chord numeral {symbol!r}; use e.g. I, vi, bVII, V7, ii°, IVmaj7")
    num = match["num"]
    degree = _NUMERALS[num.lower()]
    acc = match["acc"]
    offset = SCALES["major"][degree] + (1 if acc in "#♯" else -1) if acc else scale[degree]
    root = (tonic + offset) % 12
    qual = (match["qual"] or "").lower()
    if qual in ("°", "o", "dim", "ø"):
        triad = _TRIADS["dim"]
    elif qual in ("+", "aug"):
        triad = _TRIADS["aug"]
    else:
        triad = _TRIADS["major"] if num.isupper() else _TRIADS["minor"]
    intervals = list(triad)
    ext = (match["ext"] or "").lower()
    if ext == "maj7":
        intervals.append(11)
    elif ext in ("7", "m7"):
        intervals.append(10 if qual not in ("°", "o", "dim") else 9)
        if qual == "ø":
            intervals[-1] = 10
    elif ext == "9":
        intervals += [10, 14]
    elif ext == "11":
        intervals += [10, 17]
    elif ext == "6":
        intervals.append(9)
    elif ext in ("add9", "add2"):
        intervals.append(14)
    elif ext == "sus2":
        intervals[1] = 2
    elif ext == "sus4":
        intervals[1] = 5
    elif ext == "5":
        intervals = [0, 7]
    return Chord(symbol, root, tuple((root + i) % 12 for i in intervals))


def in_other_mode(chord: Chord, tonic: int, home: tuple[int, ...], scale: tuple[int, ...]) -> Chord:
    """``chord``, of a progression written in the ``home`` scale, as it is played in ``scale``,
    whose third is the other one (a major progression in a minor key, or the reverse).

    A chord holding the home scale's third would contradict the key's mode: each of its tones on a
    degree of ``home`` moves to the same degree of ``scale`` (the mode change of the whole chord:
    ``i`` → ``I``, ``bVI`` → ``vi``, ``iii`` → ``bIII``, ``IVmaj7`` → ``iv7``), chromatic tones
    stay. Any other chord is kept as written (``V`` in a minor key, ``bVII`` or ``iv`` in a major
    one: chords both modes borrow).
    """
    foreign = (tonic + home[2]) % 12
    if foreign not in chord.tones:
        return chord

    def moved(pc: int) -> int:
        step = (pc - tonic) % 12
        return (tonic + scale[home.index(step)]) % 12 if step in home else pc

    return Chord(chord.symbol, moved(chord.root), tuple(moved(t) for t in chord.tones))


def open_chord(chord: Chord, scale: tuple[int, ...], tonic: int) -> Chord:
    """The chord without its third: sus4 when the fourth is in the scale, else sus2, else a fifth."""
    third = [t for t in chord.tones if (t - chord.root) % 12 in (3, 4)]
    if not third:
        return chord
    in_scale = {(tonic + s) % 12 for s in scale}
    replacement = next(((chord.root + i) % 12 for i in (5, 2) if (chord.root + i) % 12 in in_scale), None)
    tones = [t for t in chord.tones if t not in third]
    if replacement is not None:
        tones = [replacement if t in third else t for t in chord.tones]
    return Chord(chord.symbol, chord.root, tuple(dict.fromkeys(tones)))


def without_third(scale: tuple[int, ...]) -> tuple[int, ...]:
    """A melody scale without the degrees a minor or major third above the tonic."""
    return tuple(s for s in scale if s % 12 not in (3, 4))


def add_colour(chord: Chord, scale: tuple[int, ...], tonic: int, amount: float, pick: float) -> Chord:
    """Dissonance: add a diatonic 7th or 9th (``amount`` ≥ 0.3) and a cluster tone (≥ 0.65).

    ``pick`` in [0, 1) chooses among the candidates deterministically.
    """
    if amount < 0.3:
        return chord
    in_scale = {(tonic + s) % 12 for s in scale}
    tones = list(chord.tones)
    candidates = [(chord.root + i) % 12 for i in (10, 11, 2)]
    candidates = [c for c in candidates if c in in_scale and c not in tones]
    if candidates:
        tones.append(candidates[int(pick * len(candidates)) % len(candidates)])
    if amount >= 0.65:
        cluster = [(chord.root + i) % 12 for i in (1, 5, 6, 2)]
        cluster = [c for c in cluster if c not in tones and (c in in_scale or amount >= 0.85)]
        if cluster:
            tones.append(cluster[int(pick * 7) % len(cluster)])
    return Chord(chord.symbol, chord.root, tuple(tones))
