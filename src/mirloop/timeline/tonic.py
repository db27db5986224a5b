"""LilyPond (Dutch) note names, as Amper timelines spell a key's tonic.

A name is a letter ``c d e f g a b`` plus ``is`` (sharp), ``es`` (flat), ``isis`` or ``eses``;
``es``/``as`` are the short forms of ``ees``/``aes`` (``eses``/``ases`` double flats).
Case is ignored, so the ``"C"`` of older timelines is accepted.
"""

from __future__ import annotations

import re

from mirloop.model.estimates import PITCH_CLASSES

_PATTERN = re.compile(r"^(?:([a-g])(isis|is|eses|es)?|([ea])(s|ses))$")
_LETTERS = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_ALTER = {"": 0, "is": 1, "isis": 2, "es": -1, "eses": -2, "s": -1, "ses": -2}

#: The usual spelling of each pitch class (the reverse mapping, for writing timelines).
LILYPOND_NAMES: tuple[str, ...] = ("c", "cis", "d", "ees", "e", "f", "fis", "g", "aes", "a", "bes", "b")
COMMON = "c, cis, des, d, dis, ees/es, e, f, fis, ges, g, gis, aes/as, a, ais, bes, b"


def is_tonic(name: str) -> bool:
    """Whether ``name`` is a LilyPond note name (any case)."""
    return _PATTERN.match(name.lower()) is not None


def pitch_class(name: str) -> int:
    """Pitch class 0–11 of a LilyPond note name; ``ValueError`` if it is not one."""
    match = _PATTERN.match(name.lower())
    if match is None:
        raise ValueError(f"{name!r} is not a LilyPond tonic; use one of {COMMON}")
    letter = match.group(1) or match.group(3)
    suffix = match.group(2) or match.group(4) or ""
    return (_LETTERS[letter] + _ALTER[suffix]) % 12


def to_pitch_name(name: str) -> str:
    """The :class:`mirloop.model.Key` tonic (``C``, ``C#``, ``Eb``…) for a LilyPond name."""
    return PITCH_CLASSES[pitch_class(name)]


def from_pitch_name(tonic: str) -> str:
    """The LilyPond name for a :class:`mirloop.model.Key` tonic (``"Bb"`` -> ``"bes"``)."""
    return LILYPOND_NAMES[PITCH_CLASSES.index(tonic)]
