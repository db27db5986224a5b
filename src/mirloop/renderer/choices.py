"""Choices a timeline may leave open, made from the seed: tempo, band, key and scale."""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any, cast

from mirloop.errors import RenderError
from mirloop.renderer.theory import normalise_scale, scale_mode
from mirloop.types import Band, Descriptor, Instrument, Key
from mirloop.types.estimates import PITCH_CLASSES


def make_band(name: str, instruments: Iterable[Instrument]) -> Band:
    """A :class:`Band` from any iterable of instruments (typed wrapper of its tuple converter)."""
    return Band(name, cast(Any, tuple(instruments)))


#: Used when a descriptor defines no band.
FALLBACK_BAND = make_band(
    "basic",
    (
        Instrument("piano", 0, role="harmony"),
        Instrument("bass", 33, role="bass"),
        Instrument("drum_kit", 0, drums=True, role="percussion"),
    ),
)


def choose_tempo(descriptor: Descriptor, rng: random.Random) -> float:
    """A tempo (BPM, 0.1 resolution) drawn uniformly from the descriptor's range."""
    low, high = descriptor.style.tempo_range
    return round(rng.uniform(low, high), 1)


def choose_band(descriptor: Descriptor, name: str | None, rng: random.Random) -> Band:
    """The band called ``name`` (case-insensitive), or a random one of the descriptor's bands."""
    bands = descriptor.style.bands or (FALLBACK_BAND,)
    if name:
        for band in bands:
            if band.name.lower() == name.strip().lower():
                return band
        known = ", ".join(b.name for b in bands)
        raise RenderError(f"descriptor {descriptor.name!r} has no band {name!r}; its bands are: {known}")
    return rng.choice(bands)


def choose_key(
    descriptor: Descriptor, key: Key | None, tonic: str | None, rng: random.Random
) -> tuple[Key, str]:
    """The region's key and the descriptor scale realising it.

    A full ``key`` keeps its mode and takes the descriptor's best scale of that mode; a ``tonic``
    alone takes the descriptor's best scale and its mode; nothing at all draws the tonic too.
    """
    scales = [normalise_scale(s) for s in descriptor.style.scales] or ["major"]
    if key is not None:
        matching = [s for s in scales if scale_mode(s) == key.mode]
        return key, (matching[0] if matching else key.mode)
    scale = scales[0]
    name = tonic if tonic is not None else rng.choice(PITCH_CLASSES)
    return Key(name, scale_mode(scale)), scale
