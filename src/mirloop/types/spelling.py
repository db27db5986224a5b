"""How pitches and keys are written: the one reader of pitch names and key text.

A pitch name is an English name (``C``, ``F#``, ``Bb``, ``F♯``, ``Ebb``, ``Cs``) or a LilyPond
(Dutch) name as Amper timelines spell tonics (``fis``, ``ees``/``es``, ``bes``, ``cisis``,
``ases``); case is ignored. Key text is a pitch name and, optionally, a mode, separated by a space
or a colon: ``"F# minor"``, ``"fis minor"``, ``"A:minor"``, ``"Bb maj"``.
"""

from __future__ import annotations

import re

from mirloop.errors import SpellingError
from mirloop.types.estimates import PITCH_CLASSES

#: A LilyPond note name: a letter, then ``is``/``isis`` (sharps) or ``es``/``eses`` (flats);
#: ``es``/``as`` are the short forms of ``ees``/``aes`` (``eses``/``ases`` double flats).
LILYPOND_NAME = re.compile(r"^(?:([a-g])(isis|is|eses|es)?|([ea])(s|ses))$")
_LETTERS = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_LILYPOND_ALTER = {"": 0, "is": 1, "isis": 2, "es": -1, "eses": -2, "s": -1, "ses": -2}
_ENGLISH_ALTER = {"": 0, "n": 0, "natural": 0, "#": 1, "♯": 1, "sharp": 1, "s": 1, "b": -1, "♭": -1,
                  "flat": -1, "##": 2, "bb": -2}
#: The words a mode may be written as.
MODE_WORDS = {"major": "major", "maj": "major", "minor": "minor", "min": "minor", "m": "minor"}

HINT = "use e.g. C, F#, Bb, fis, es"


def lilypond_pitch_class(name: str) -> int | None:
    """Pitch class 0–11 of a LilyPond note name (any case); ``None`` if ``name`` is not one."""
    match = LILYPOND_NAME.match(name.strip().lower())
    if match is None:
        return None
    letter = match.group(1) or match.group(3)
    return (_LETTERS[letter] + _LILYPOND_ALTER[match.group(2) or match.group(4) or ""]) % 12


def pitch_class(name: str) -> int:
    """Pitch class 0–11 of a pitch name, English or LilyPond (see the module docstring)."""
    lilypond = lilypond_pitch_class(name)
    if lilypond is not None:
        return lilypond
    text = name.strip().lower()
    alter = _ENGLISH_ALTER.get(text[1:]) if text[:1] in _LETTERS else None
    if alter is None:
        raise SpellingError(f"cannot read the pitch name {name!r}; {HINT}")
    return (_LETTERS[text[0]] + alter) % 12


def read_key(text: str) -> tuple[str, str | None]:
    """The tonic (in its :data:`~mirloop.types.estimates.PITCH_CLASSES` spelling) and the mode
    (``"major"``, ``"minor"`` or ``None`` when not written) of key text such as ``"fis minor"``."""
    parts = text.replace(":", " ").split()
    if not parts or len(parts) > 2:
        raise SpellingError(f"cannot read the key {text!r}; write e.g. 'F# minor', 'fis minor' or 'F#:minor'")
    tonic = PITCH_CLASSES[pitch_class(parts[0])]
    if len(parts) == 1:
        return tonic, None
    mode = MODE_WORDS.get(parts[1].lower())
    if mode is None:
        raise SpellingError(f"cannot read the mode of key {text!r}; use major or minor")
    return tonic, mode
