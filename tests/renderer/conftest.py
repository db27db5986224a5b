"""Shared set-up for renderer tests: short renders at 22050 Hz with the bundled GM SoundFont.

The bundled font (``TimGM6mb.sf2`` from pretty_midi) is used explicitly so that results are the
same on machines with and without a system SoundFont.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from mirloop.renderer.plan import RegionPlan
from mirloop.types import Band, Descriptor, Instrument, Key, Style

C_MAJOR = Key("C", "major")
FAST: dict[str, Any] = {"sr": 22050, "soundfont": "bundled"}

BAND = Band(
    "test_band",
    (
        Instrument("piano", 0, role="harmony"),
        Instrument("bass", 33, role="bass"),
        Instrument("kit", 0, drums=True, role="percussion"),
        Instrument("strings", 48, role="pad"),
    ),
)


def make_descriptor(
    name: str = "test_sub_calm",
    *,
    scales: tuple[str, ...] = ("major",),
    progressions: tuple[tuple[str, ...], ...] = (("I", "V", "vi", "IV"),),
    band: Band = BAND,
    **style: Any,
) -> Descriptor:
    """A descriptor with a hand-made style (the tests do not depend on the catalog's data)."""
    genre, subgenre, mood = name.split("_", 2)
    return Descriptor(
        1,
        name,
        genre,
        subgenre,
        mood,
        "neutral",
        1,
        2,
        Style(tempo_range=(100.0, 120.0), scales=scales, progressions=progressions, bands=(band,), **style),
    )


def make_plan(
    descriptor: Descriptor | None = None,
    *,
    start: float = 0.0,
    end: float = 8.0,
    tempo: float = 110.0,
    key: Key = C_MAJOR,
    index: int = 0,
    cut: bool = True,
    **extra: Any,
) -> RegionPlan:
    descriptor = descriptor or make_descriptor()
    scale = extra.pop("scale", descriptor.style.scales[0])
    band = extra.pop("band", descriptor.style.bands[0])
    return RegionPlan(index, start, end, descriptor, band, tempo, key, scale, cut=cut, **extra)


@pytest.fixture
def fast_options() -> dict[str, Any]:
    return dict(FAST)


def assert_seeded(note: Callable[[np.random.Generator], np.ndarray]) -> None:
    """A NumPy voice's stereo note is byte-identical for the same seed and differs for another."""
    first, again, other = (note(np.random.default_rng(seed)) for seed in (5, 5, 6))
    assert first.shape[0] == 2 and first.tobytes() == again.tobytes()
    assert not np.array_equal(first, other)
