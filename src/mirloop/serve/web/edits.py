"""What a listener may change before rendering: a segment's (or the whole track's) descriptor,
tempo and key, checked at the boundary.

An edit is ``{"descriptor": str, "tempo": float | None, "key": str | None}``. The descriptor must
be in the catalog (the error suggests the nearest names); the tempo is in BPM, within
:data:`TEMPO_LIMITS` (the loop still fits it into the descriptor's range by octaves,
:func:`mirloop.loop.renders.fit_tempo`); the key is ``"<tonic> <mode>"`` with a tonic of
:data:`~mirloop.types.estimates.PITCH_CLASSES` and a mode ``major`` or ``minor`` (a mode the
descriptor contradicts becomes its relative key, :func:`mirloop.loop.renders.fit_key`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from mirloop.errors import MirloopError
from mirloop.types.estimates import MODES, PITCH_CLASSES

#: Tempi a listener may ask for, in BPM.
TEMPO_LIMITS = (20.0, 300.0)


class EditError(MirloopError):
    """A listener's change to a segment cannot be rendered."""


def check_edit(edit: Mapping[str, Any], *, where: str) -> dict[str, Any]:
    """``edit`` in canonical form (descriptor name, tempo as a float or ``None``, key as
    ``"A minor"`` or ``None``); :class:`EditError` naming ``where`` and the fix otherwise."""
    from mirloop.catalog import load_catalog

    catalog = load_catalog()
    name = str(edit.get("descriptor") or "").strip()
    if name not in catalog:
        raise EditError(f"{where}: {catalog.unknown_message(name)}")
    tempo, key = _tempo(edit.get("tempo"), where), _key(edit.get("key"), where)
    return {"descriptor": name, "tempo": tempo, "key": key}


def check_edits(edits: Sequence[Mapping[str, Any]], *, segments: int) -> list[dict[str, Any]]:
    """One checked edit per segment; :class:`EditError` when the count is not ``segments``."""
    if len(edits) != segments:
        raise EditError(
            f"the track has {segments} segment(s) but {len(edits)} were sent; send one per segment"
        )
    return [check_edit(edit, where=f"segment {i + 1}") for i, edit in enumerate(edits)]


def _tempo(value: Any, where: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        tempo = float(value)
    except (TypeError, ValueError):
        raise EditError(f"{where}: the tempo {value!r} is not a number; give BPM such as 120") from None
    low, high = TEMPO_LIMITS
    if not math.isfinite(tempo) or not low <= tempo <= high:
        raise EditError(f"{where}: the tempo {value!r} is outside {low:g}–{high:g} BPM")
    return round(tempo, 1)


def _key(value: Any, where: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    tonic, _, mode = str(value).replace(":", " ").strip().partition(" ")
    tonic = tonic[:1].upper() + tonic[1:]
    mode = mode.strip().lower()
    if tonic not in PITCH_CLASSES or mode not in MODES:
        raise EditError(
            f"{where}: the key {value!r} is not '<tonic> <mode>' with a tonic of {', '.join(PITCH_CLASSES)} "
            "and a mode major or minor, e.g. 'A minor'"
        )
    return f"{tonic} {mode}"


__all__ = ["TEMPO_LIMITS", "EditError", "check_edit", "check_edits"]
