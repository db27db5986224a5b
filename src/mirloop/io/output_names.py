"""Output names after input files: unique and independent of the order of the inputs.

Every command that writes ``OUT/<name>/`` per input (``analyze``, ``loop``) names it with
:func:`output_names`. A name is the file's stem; when stems collide (``a.ogg`` and ``a.wav``,
or a stem equal to another file's name), the colliding files keep their extension
(``a.ogg``, ``a.wav``); when even the file names collide (``x/a.wav`` and ``y/a.wav``), a short
digest of the absolute path is appended (``a.wav-3f9c2b1d0e``). Names are compared ignoring
case, so they stay distinct on case-insensitive file systems too. The same set of inputs
always gives the same names, whatever their order.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection, Sequence
from pathlib import Path

#: Name of an input whose stem has nothing usable left (e.g. only spaces).
FALLBACK_NAME = "track"
#: Hex digits of the path digest that tells apart files of the same name in different folders.
DIGEST_LENGTH = 10


def safe_name(text: str) -> str:
    """``text``, or :data:`FALLBACK_NAME` when it is empty."""
    return text or FALLBACK_NAME


def output_names(tracks: Sequence[str | os.PathLike[str]], *, reserved: Collection[str] = ()) -> list[str]:
    """One distinct name per track, in the order given (see the module docstring).

    ``reserved`` are names the caller writes into the same folder itself (e.g. ``report.json``):
    a track whose name would equal one of them is named as if it collided.
    """
    paths = [Path(track) for track in tracks]
    taken = {name.casefold() for name in reserved}
    levels = [0] * len(paths)
    while True:
        names = [_candidate(path, level) for path, level in zip(paths, levels)]
        groups: dict[str, list[int]] = {}
        for index, name in enumerate(names):
            groups.setdefault(name.casefold(), []).append(index)
        clashing = [i for key, group in groups.items() if len(group) > 1 or key in taken for i in group]
        raise_level = [index for index in clashing if levels[index] < _LAST_LEVEL]
        if not raise_level:
            break
        for index in raise_level:
            levels[index] += 1
    return _number_the_rest(paths, names, taken)


_LAST_LEVEL = 2


def _candidate(path: Path, level: int) -> str:
    """Level 0: the stem; 1: the file name; 2: the file name and a digest of the absolute path."""
    if level == 0:
        return safe_name(path.stem)
    if level == 1:
        return safe_name(path.name)
    digest = _digest(os.fsencode(os.path.abspath(path)))[:DIGEST_LENGTH]
    return f"{safe_name(path.name)}-{digest}"


def _number_the_rest(paths: list[Path], names: list[str], taken: set[str]) -> list[str]:
    """The same file given twice (or a digest clash): ``-2``, ``-3``… in the order of the paths."""
    used = set(taken)
    result = list(names)
    groups: dict[str, list[int]] = {}
    for index, name in enumerate(names):
        groups.setdefault(name.casefold(), []).append(index)
    for key, group in groups.items():
        if len(group) == 1 and key not in taken:
            used.add(key)
    for key, group in sorted(groups.items()):
        if len(group) == 1 and key not in taken:
            continue
        ordered = sorted(group, key=lambda i: (str(paths[i]), i))
        count = 1
        for index in ordered:
            base = names[index]
            candidate = base
            while candidate.casefold() in used:
                count += 1
                candidate = f"{base}-{count}"
            used.add(candidate.casefold())
            result[index] = candidate
    return result


def _digest(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()
