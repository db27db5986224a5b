"""LilyPond (Dutch) note names, as Amper timelines spell a key's tonic.

A name is a letter ``c d e f g a b`` plus ``is`` (sharp), ``es`` (flat), ``isis`` or ``eses``;
``es``/``as`` are the short forms of ``ees``/``aes`` (``eses``/``ases`` double flats).
Case is ignored, so the ``"C"`` of older timelines is accepted.
"""

from __future__ import annotations

from mirloop.errors import SpellingError
from mirloop.types.estimates import PITCH_CLASSES
from mirloop.types.spelling import lilypond_pitch_class

#: The usual spelling of each pitch class (the reverse mapping, for writing timelines).
LILYPOND_NAMES: tuple[str, ...] = ("c", "cis", "d", "ees", "e", "f", "fis", "g", "aes", "a", "bes", "b")
COMMON = "c, cis, des, d, dis, ees/es, e, f, fis, ges, g, gis, aes/as, a, ais, bes, b"


def is_tonic(name: str) -> bool:
    """Whether ``name`` is a LilyPond note name (any case)."""
    return lilypond_pitch_class(name) is not None


def pitch_class(name: str) -> int:
    """Pitch class 0–11 of a LilyPond note name; :class:`~mirloop.errors.SpellingError` (a
    ``ValueError``) if it is not one."""
    value = lilypond_pitch_class(name)
    if value is None:
        raise SpellingError(f"{name!r} is not a LilyPond tonic; use one of {COMMON}")
    return value


def to_pitch_name(name: str) -> str:
    """The :class:`mirloop.types.Key` tonic (``C``, ``C#``, ``Eb``…) for a LilyPond name."""
    return PITCH_CLASSES[pitch_class(name)]


def from_pitch_name(tonic: str) -> str:
    """The LilyPond name for a :class:`mirloop.types.Key` tonic (``"Bb"`` -> ``"bes"``)."""
    return LILYPOND_NAMES[PITCH_CLASSES.index(tonic)]
