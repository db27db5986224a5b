"""Majority rules per form segment, and the top candidates of a track for single-region renders.

A segment's value of each target is its most frequent window label (``unknown`` included, so
an unsure classifier shows as such); ties go to the label seen first. The descriptor to render
is chosen from the majorities of the *known* labels so that it carries as many of them as it
can: among the descriptors of the majority genre and subgenre, the one whose mood, sentiment,
valence and momentum agree with the most majorities — the majority mood itself when it agrees
at least as well (``descriptor_source = exact``), else a sibling mood that carries the voted
sentiment, valence and momentum better (``agreement``; ties go to the descriptor nearest the
majority combination). When the majority subgenre is not one of the genre's, the nearest
existing descriptor stands in (:meth:`mirloop.catalog.Catalog.nearest`, ``nearest``); ``joint``
when the genre is unknown and the model's joint descriptor label decides; ``track`` when the
segment has no known label and the track's top descriptor stands in; ``none`` when nothing is
known.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from attrs import frozen

from mirloop.loop.merge import DESCRIPTOR
from mirloop.types import Segment
from mirloop.types.descriptor import TARGETS
from mirloop.types.prediction import UNKNOWN

if TYPE_CHECKING:
    import pandas as pd

    from mirloop.catalog import Catalog
    from mirloop.types import Descriptor

#: Tempi closer than this ratio count as one candidate (e.g. 120 and 122 BPM).
TEMPO_TOLERANCE = 0.04
#: Targets whose mean window probability each segment row carries.
SHOWN_PROBABILITIES = ("genre", "mood")


@frozen
class Candidates:
    """The most frequent valid descriptors, tempi (BPM) and keys (``"E minor"``) of a track."""

    descriptors: tuple[str, ...]
    tempi: tuple[float, ...]
    keys: tuple[str, ...]

    def to_dict(self) -> dict[str, list[Any]]:
        return {"descriptors": list(self.descriptors), "tempi": list(self.tempi), "keys": list(self.keys)}


def most_common(values: Sequence[Any]) -> Any:
    """The most frequent value; ties go to the value seen first (``None`` for no values)."""
    if not values:
        return None
    return Counter(values).most_common(1)[0][0]


def windows_of(merged: pd.DataFrame, segment: Segment) -> np.ndarray:
    """Rows of ``merged`` whose window centre lies in ``segment``; else the row nearest its middle."""
    centres = (merged["start"].to_numpy() + merged["end"].to_numpy()) / 2
    inside = np.flatnonzero((centres >= segment.start) & (centres < segment.end))
    if len(inside):
        return inside
    return np.array([int(np.argmin(np.abs(centres - (segment.start + segment.end) / 2)))])


def segment_majorities(merged: pd.DataFrame, segments: Sequence[Segment]) -> list[dict[str, Any]]:
    """Per segment, the most frequent label of every target present in ``merged``."""
    targets = [t for t in TARGETS if t in merged.columns]
    out = []
    for segment in segments:
        rows = merged.iloc[windows_of(merged, segment)]
        out.append({t: most_common(list(rows[t])) for t in targets})
    return out


def label_probability(merged: pd.DataFrame, segment: Segment, target: str, label: Any) -> float:
    """Mean probability of the windows of ``segment`` labelled ``label`` (NaN when none are)."""
    rows = merged.iloc[windows_of(merged, segment)]
    column = f"{target}_probability"
    if column not in rows.columns:
        return float("nan")
    chosen = rows[column].to_numpy()[rows[target].to_numpy() == label]
    return round(float(np.mean(chosen)), 4) if len(chosen) else float("nan")


def window_descriptors(merged: pd.DataFrame, catalog: Catalog) -> list[str | None]:
    """The valid descriptor of each window (``None`` when nothing about it is known).

    The model's joint ``descriptor`` label when it names a catalog entry; otherwise the
    nearest entry to the window's genre/subgenre/mood, as long as the genre is known.
    """
    joint = list(merged[DESCRIPTOR]) if DESCRIPTOR in merged.columns else [None] * len(merged)
    parts = [
        list(merged[t]) if t in merged.columns else [UNKNOWN] * len(merged)
        for t in ("genre", "subgenre", "mood")
    ]
    cache: dict[tuple[Any, ...], str | None] = {}
    out: list[str | None] = []
    for name, *combo in zip(joint, *parts):
        if name is not None and name != UNKNOWN and name in catalog:
            out.append(str(name))
            continue
        key = tuple(combo)
        if key not in cache:
            cache[key] = _nearest(catalog, *combo)
        out.append(cache[key])
    return out


def _nearest(catalog: Catalog, genre: str | None, subgenre: str | None, mood: str | None) -> str | None:
    """The catalog entry for the combination, or the nearest one; unknown parts match anything."""
    if genre in (None, UNKNOWN):
        return None
    parts = ["" if p in (None, UNKNOWN) else str(p) for p in (genre, subgenre, mood)]
    found = catalog.find(*parts)
    return found.name if found is not None else catalog.nearest(*parts).name


def reduce_segments(merged: pd.DataFrame, segments: Sequence[Segment], catalog: Catalog) -> pd.DataFrame:
    """One row per segment: ``segment``, ``label``, ``start``, ``end``, ``duration`` (s),
    ``n_windows``, the majority of each target, ``genre_probability`` and ``mood_probability``
    (mean over the windows with the majority label), ``tempo_bpm`` and ``key`` (majority), and
    the ``descriptor`` to render with its ``descriptor_source``."""
    import pandas as pd

    track_top = [d for d in window_descriptors(merged, catalog) if d is not None]
    fallback = most_common(track_top)
    rows = []
    for index, (segment, majority) in enumerate(zip(segments, segment_majorities(merged, segments))):
        chosen = merged.iloc[windows_of(merged, segment)]
        row: dict[str, Any] = {
            "segment": index,
            "label": segment.label,
            "start": segment.start,
            "end": segment.end,
            "duration": segment.duration,
            "n_windows": len(chosen),
            **majority,
        }
        for target in SHOWN_PROBABILITIES:
            if target in majority:
                row[f"{target}_probability"] = label_probability(merged, segment, target, majority[target])
        if "tempo_bpm" in chosen.columns:
            row["tempo_bpm"] = float(most_common([round(float(b), 1) for b in chosen["tempo_bpm"]]))
        if "key" in chosen.columns:
            row["key"] = most_common(list(chosen["key"]))
        row["descriptor"], row["descriptor_source"] = _segment_descriptor(chosen, catalog, fallback)
        rows.append(row)
    return pd.DataFrame(rows)


def _segment_descriptor(rows: pd.DataFrame, catalog: Catalog, fallback: str | None) -> tuple[str | None, str]:
    voted: dict[str, Any] = {}
    for target in TARGETS:
        known = [v for v in rows[target] if v != UNKNOWN] if target in rows.columns else []
        voted[target] = most_common(known)
    genre, subgenre, mood = voted["genre"], voted["subgenre"], voted["mood"]
    if genre is not None:
        pool = [d for d in catalog.filter(genre=str(genre)) if subgenre is None or d.subgenre == subgenre]
        if not pool:
            return _nearest(catalog, genre, subgenre, mood), "nearest"
        return _best_agreeing(pool, voted, catalog)
    joint = [v for v in window_descriptors(rows, catalog) if v is not None]
    if joint:
        return most_common(joint), "joint"
    return fallback, "track" if fallback else "none"


def _best_agreeing(pool: list[Descriptor], voted: dict[str, Any], catalog: Catalog) -> tuple[str, str]:
    """The descriptor of ``pool`` agreeing with the most voted mood/sentiment/valence/momentum labels."""

    def agreement(d: Descriptor) -> int:
        return sum(
            voted[t] is not None and str(d.target(t)) == str(voted[t])
            for t in ("mood", "sentiment", "valence", "momentum")
        )

    best = max(agreement(d) for d in pool)
    majority = next((d for d in pool if d.mood == voted["mood"]), None)
    if majority is not None and agreement(majority) == best:
        return majority.name, "exact"
    anchor = majority or catalog.nearest(
        str(voted["genre"]), str(voted["subgenre"] or pool[0].subgenre), str(voted["mood"] or "")
    )
    chosen = min(
        (d for d in pool if agreement(d) == best), key=lambda d: (catalog.distance(anchor, d), d.name)
    )
    return chosen.name, "agreement" if majority is not None else "nearest"


def top_candidates(
    merged: pd.DataFrame, catalog: Catalog, *, n_descriptors: int = 2, n_tempi: int = 2, n_keys: int = 2
) -> Candidates:
    """The ``n`` most frequent window descriptors, tempi and keys of a track.

    Tempi within :data:`TEMPO_TOLERANCE` of a more frequent one are merged into it.
    """
    descriptors = Counter(d for d in window_descriptors(merged, catalog) if d is not None)
    merged_tempi: dict[float, int] = {}  # a representative tempo -> windows near it
    if "tempo_bpm" in merged.columns:
        counts = Counter(round(float(b)) for b in merged["tempo_bpm"] if np.isfinite(b) and b > 0)
        for bpm, count in counts.most_common():
            near = [t for t in merged_tempi if abs(bpm - t) <= TEMPO_TOLERANCE * t]
            key = near[0] if near else float(bpm)
            merged_tempi[key] = merged_tempi.get(key, 0) + count
    tempi = sorted(merged_tempi, key=lambda t: -merged_tempi[t])
    keys = Counter(merged["key"]) if "key" in merged.columns else Counter()
    return Candidates(
        descriptors=tuple(d for d, _ in descriptors.most_common(n_descriptors)),
        tempi=tuple(tempi[:n_tempi]),
        keys=tuple(k for k, _ in keys.most_common(n_keys)),
    )
