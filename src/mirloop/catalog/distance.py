"""A distance between descriptors in [0, 1].

``distance(a, b)`` is a weighted sum of what the two descriptors do not share::

    0.30 · [genre differs]
  + 0.25 · [subgenre differs]      (the (genre, subgenre) pair; hiphop/orchestral ≠ cinematic/orchestral)
  + 0.20 · [mood differs]
  + 0.05 · [sentiment differs]
  + 0.10 · |valence gap| / 2       (valence is 0–2)
  + 0.10 · |momentum gap| / 4      (momentum is 0–4)

so ``distance(a, a) == 0``, it is symmetric, and a sibling (same genre and subgenre, other mood,
at most 0.45) is always nearer than any descriptor of another genre (at least 0.55).
"""

from __future__ import annotations

from typing import Protocol

WEIGHTS: dict[str, float] = {
    "genre": 0.30,
    "subgenre": 0.25,
    "mood": 0.20,
    "sentiment": 0.05,
    "valence": 0.10,
    "momentum": 0.10,
}


class Profile(Protocol):
    """Anything with the descriptor targets (a :class:`~mirloop.types.Descriptor` qualifies)."""

    @property
    def genre(self) -> str: ...
    @property
    def subgenre(self) -> str: ...
    @property
    def mood(self) -> str: ...
    @property
    def sentiment(self) -> str: ...
    @property
    def valence(self) -> int: ...
    @property
    def momentum(self) -> int: ...


def distance(a: Profile, b: Profile) -> float:
    """Distance in [0, 1] between two descriptors (see the module docstring for the formula)."""
    d = 0.0
    if a.genre != b.genre:
        d += WEIGHTS["genre"]
    if (a.genre, a.subgenre) != (b.genre, b.subgenre):
        d += WEIGHTS["subgenre"]
    if a.mood != b.mood:
        d += WEIGHTS["mood"]
    if a.sentiment != b.sentiment:
        d += WEIGHTS["sentiment"]
    d += WEIGHTS["valence"] * abs(a.valence - b.valence) / 2
    d += WEIGHTS["momentum"] * abs(a.momentum - b.momentum) / 4
    return round(d, 6)
