"""The descriptor catalog: lookups, filters, the genre → subgenre → mood tree, nearest names."""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable, Iterator

import attrs
from attrs import frozen

from mirloop.catalog.distance import distance
from mirloop.catalog.mood import Mood
from mirloop.errors import DescriptorError
from mirloop.types import Descriptor

Tree = dict[str, dict[str, list[str]]]


@frozen
class _Probe:
    """A genre/subgenre/mood combination that may not exist, profiled like a descriptor."""

    genre: str
    subgenre: str
    mood: str
    sentiment: str
    valence: int
    momentum: int


def catalog_version(descriptors: Iterable[Descriptor]) -> str:
    """First 12 hex digits of the SHA-256 of the resolved descriptors (canonical JSON)."""
    payload = json.dumps([attrs.asdict(d) for d in descriptors], sort_keys=True, default=list)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]


class Catalog:
    """An immutable set of descriptors with their moods.

    Look up with ``catalog["rock_indie_driving"]`` or ``catalog.get(name_or_id)``; unknown names
    raise :class:`~mirloop.errors.DescriptorError` with the closest names. ``version`` is a hash of
    the resolved data: models trained on one catalog record it.
    """

    def __init__(self, descriptors: Iterable[Descriptor], moods: dict[str, Mood] | None = None) -> None:
        self._items: tuple[Descriptor, ...] = tuple(sorted(descriptors, key=lambda d: d.name))
        self._by_name = {d.name: d for d in self._items}
        self._by_id = {d.id: d for d in self._items}
        if len(self._by_name) != len(self._items):
            raise DescriptorError("catalog has duplicate descriptor names")
        if len(self._by_id) != len(self._items):
            raise DescriptorError("catalog has duplicate descriptor ids")
        known = dict(moods or {})
        for d in self._items:
            known.setdefault(d.mood, Mood(d.mood, d.sentiment, d.valence, d.momentum))
        self.moods: dict[str, Mood] = known
        self.version: str = catalog_version(self._items)

    # --- container --------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Descriptor]:
        return iter(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name or name in self._by_id

    def __getitem__(self, key: str | int) -> Descriptor:
        return self.get(key)

    def __repr__(self) -> str:
        return f"<Catalog {len(self)} descriptors, version {self.version}>"

    @property
    def descriptors(self) -> tuple[Descriptor, ...]:
        """All descriptors, sorted by name."""
        return self._items

    def names(self) -> list[str]:
        return [d.name for d in self._items]

    def get(self, key: str | int) -> Descriptor:
        """The descriptor with this name or id; unknown keys raise ``DescriptorError`` with suggestions."""
        if isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
            found = self._by_id.get(int(key))
            if found is None:
                raise DescriptorError(f"no descriptor has id {key}; list them with `mirloop descriptors`")
            return found
        found = self._by_name.get(key)
        if found is None:
            raise DescriptorError(self.unknown_message(key))
        return found

    def unknown_message(self, name: str) -> str:
        """``unknown descriptor 'x'; did you mean ...?`` with difflib and structural suggestions."""
        close = difflib.get_close_matches(name, self._by_name, n=2, cutoff=0.75)
        parts = name.split("_", 2)
        if len(parts) == 3 and self._items:
            structural = self.nearest(*parts).name
            if structural not in close:
                close.append(structural)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        return f"unknown descriptor {name!r}{hint} (list them with `mirloop descriptors`)"

    # --- structure --------------------------------------------------------------------------
    def genres(self) -> list[str]:
        return sorted({d.genre for d in self._items})

    def subgenres(self, genre: str | None = None) -> list[str]:
        return sorted({d.subgenre for d in self._items if genre in (None, d.genre)})

    def mood_names(self, genre: str | None = None, subgenre: str | None = None) -> list[str]:
        return sorted({d.mood for d in self.filter(genre=genre, subgenre=subgenre)})

    def tree(self) -> Tree:
        """``{genre: {subgenre: [mood, ...]}}``, everything sorted."""
        out: Tree = {}
        for d in self._items:
            out.setdefault(d.genre, {}).setdefault(d.subgenre, []).append(d.mood)
        return {g: {s: sorted(m) for s, m in sorted(subs.items())} for g, subs in sorted(out.items())}

    def combinations(self) -> set[tuple[str, str, str]]:
        """Every valid ``(genre, subgenre, mood)``."""
        return {(d.genre, d.subgenre, d.mood) for d in self._items}

    def find(self, genre: str, subgenre: str, mood: str) -> Descriptor | None:
        """The descriptor for this exact combination, or ``None``."""
        return self._by_name.get(f"{genre}_{subgenre}_{mood}")

    def filter(
        self,
        *,
        genre: str | None = None,
        subgenre: str | None = None,
        mood: str | None = None,
        sentiment: str | None = None,
        valence: int | None = None,
        momentum: int | None = None,
    ) -> list[Descriptor]:
        """Descriptors matching every given criterion (``None`` matches anything)."""
        wanted = {"genre": genre, "subgenre": subgenre, "mood": mood, "sentiment": sentiment,
                  "valence": valence, "momentum": momentum}
        wanted = {k: v for k, v in wanted.items() if v is not None}
        return [d for d in self._items if all(getattr(d, k) == v for k, v in wanted.items())]

    # --- similarity -------------------------------------------------------------------------
    def distance(self, a: Descriptor | str | int, b: Descriptor | str | int) -> float:
        """:func:`mirloop.catalog.distance.distance` between two descriptors (or their names/ids)."""
        return distance(self._resolve(a), self._resolve(b))

    def nearest(self, genre: str, subgenre: str, mood: str) -> Descriptor:
        """The existing descriptor nearest to a combination that may not exist.

        Misspelt genre, subgenre and mood names are first snapped to the closest known name
        (difflib); the mood's sentiment, valence and momentum come from the mood table. Ties
        break by name, so the answer is deterministic.
        """
        if not self._items:
            raise DescriptorError("the catalog is empty")
        genre = _snap(genre, self.genres())
        subgenre = _snap(subgenre, self.subgenres(genre) or self.subgenres())
        mood = _snap(mood, list(self.moods))
        exact = self.find(genre, subgenre, mood)
        if exact is not None:
            return exact
        profile = self.moods.get(mood)
        probe = _Probe(genre, subgenre, mood,
                       profile.sentiment if profile else "neutral",
                       profile.valence if profile else 1,
                       profile.momentum if profile else 2)
        return min(self._items, key=lambda d: (distance(probe, d), d.name))

    def _resolve(self, item: Descriptor | str | int) -> Descriptor:
        return item if isinstance(item, Descriptor) else self.get(item)


def _snap(name: str, known: list[str]) -> str:
    if name in known:
        return name
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return close[0] if close else name
