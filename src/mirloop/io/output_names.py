"""Output names after input files: safe, unique and independent of the order of the inputs.

Every command that writes ``OUT/<name>/`` per input (``analyze``, ``loop``) names it with
:func:`output_names`. A name is the file's stem; when stems collide (``a.ogg`` and ``a.wav``,
or a stem equal to another file's name), the colliding files keep their extension
(``a.ogg``, ``a.wav``); when even the file names collide (``x/a.wav`` and ``y/a.wav``), a short
digest of the absolute path is appended (``a.wav-3f9c2b1d0e``). Names are compared ignoring
case, so they stay distinct on case-insensitive file systems too. The same set of inputs
always gives the same names, whatever their order.

Every name passes :func:`safe_name`, so it is one ordinary path component: a child of the
output folder, never ``.``, ``..``, hidden, or holding a separator, NUL or control character,
and short enough for the longest file mirloop writes inside it.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Collection, Sequence
from pathlib import Path

from mirloop.errors import OutputError

#: Longest name in UTF-8 bytes: ``<name>/<name>.segments.parquet`` and its temporary twin
#: (``.<file>.<random>.tmp.parquet``) stay under the common 255-byte limit of a file name.
MAX_NAME_BYTES = 180
#: Name of an input whose stem has nothing usable left (e.g. only spaces).
FALLBACK_NAME = "track"
#: Hex digits of the path digest that tells apart files of the same name in different folders.
DIGEST_LENGTH = 10

_SEPARATORS = frozenset("/\\\x00")


def safe_name(text: str, *, max_bytes: int = MAX_NAME_BYTES) -> str:
    """``text`` as one safe path component (see the module docstring); never empty.

    Separators, NUL, control characters and undecodable bytes become ``_``; leading dots become
    ``_`` (so ``..`` gives ``__`` and nothing is hidden); the text is NFC-normalised; a name
    longer than ``max_bytes`` UTF-8 bytes is cut, and a digest of the full text is appended so
    that two long names cut alike stay distinct.
    """
    name = "".join(
        "_" if char in _SEPARATORS or unicodedata.category(char) in ("Cc", "Cs") else char
        for char in unicodedata.normalize("NFC", text)
    ).strip()
    dots = len(name) - len(name.lstrip("."))
    name = "_" * dots + name[dots:]
    if not name:
        return FALLBACK_NAME
    encoded = name.encode("utf-8")
    if len(encoded) <= max_bytes:
        return name
    digest = _digest(text.encode("utf-8", "surrogateescape"))[:8]
    head = encoded[: max_bytes - len(digest) - 1].decode("utf-8", "ignore").rstrip()
    return f"{head}~{digest}"


def output_names(tracks: Sequence[str | os.PathLike[str]], *, reserved: Collection[str] = ()) -> list[str]:
    """One distinct safe name per track, in the order given (see the module docstring).

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
    return f"{safe_name(path.name, max_bytes=MAX_NAME_BYTES - DIGEST_LENGTH - 1)}-{digest}"


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
            base = safe_name(names[index], max_bytes=MAX_NAME_BYTES - 8)
            candidate = base
            while candidate.casefold() in used:
                count += 1
                candidate = f"{base}-{count}"
            used.add(candidate.casefold())
            result[index] = candidate
    return result


def output_folder(out_dir: str | os.PathLike[str], name: str) -> Path:
    """``out_dir/name`` after checking that ``name`` is a safe name (a child of ``out_dir``)."""
    if safe_name(name) != name:
        raise OutputError(
            f"{name!r} cannot name an output folder (it must be one plain file name, not hidden, "
            f"without separators or control characters, at most {MAX_NAME_BYTES} bytes); "
            f"use {safe_name(name)!r}"
        )
    return Path(out_dir) / name


def _digest(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()
