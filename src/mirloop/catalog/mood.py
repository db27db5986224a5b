"""Moods: shared across subgenres, each with a sentiment, valence, momentum and style modifiers."""

from __future__ import annotations

from typing import Any

from attrs import frozen


@frozen
class Mood:
    """A mood and how it bends a subgenre's style (see ``moods.toml`` for the units).

    ``tempo`` is the slice ``(low, high)`` of the subgenre's tempo range as fractions 0–1;
    ``register`` is in semitones; ``density``, ``dissonance`` and ``dynamics`` are added to the
    subgenre's values; ``harmonic_rhythm`` multiplies its bars per chord; ``articulation``
    (if set) replaces the subgenre's; ``open_harmony`` leaves the thirds out of chords and melody.
    """

    name: str
    sentiment: str
    valence: int
    momentum: int
    scales: tuple[str, ...] = ()
    tempo: tuple[float, float] = (0.0, 1.0)
    density: float = 0.0
    register: int = 0
    articulation: str | None = None
    dissonance: float = 0.0
    dynamics: float = 0.0
    harmonic_rhythm: float = 1.0
    open_harmony: bool = False
    description: str = ""

    @classmethod
    def from_table(cls, name: str, table: dict[str, Any]) -> Mood:
        """Build from a ``[moods.NAME]`` table of a catalog file (already schema-checked)."""
        lo, hi = table.get("tempo", (0.0, 1.0))
        return cls(
            name=name,
            sentiment=table["sentiment"],
            valence=table["valence"],
            momentum=table["momentum"],
            scales=tuple(table.get("scales", ())),
            tempo=(float(min(lo, hi)), float(max(lo, hi))),
            density=float(table.get("density", 0.0)),
            register=int(table.get("register", 0)),
            articulation=table.get("articulation"),
            dissonance=float(table.get("dissonance", 0.0)),
            dynamics=float(table.get("dynamics", 0.0)),
            harmonic_rhythm=float(table.get("harmonic_rhythm", 1.0)),
            open_harmony=bool(table.get("open_harmony", False)),
            description=table.get("description", ""),
        )
