"""Reference annotations of one file: tempo, key and section boundaries, from JAMS or CSV.

JAMS (``<stem>.jams``): the ``tempo`` namespace (BPM), ``key_mode`` (``"A:minor"``) and
``segment_open`` (labelled intervals). Where a namespace holds several observations (a
multi-region render), the tempo or key that covers at least half of the annotated time is the
reference; when none does (three regions in three keys), the file has no track-level reference
for that stage — a single answer cannot be right there. The key's observations are also kept as
they are (:attr:`Truth.key_regions`), so the per-window keys of a modulating file are scored
against the key of each moment.

CSV (``<stem>.csv``), one observation per row with a header ``kind,start,end,value``::

    kind,start,end,value
    tempo,0,30,128
    key,0,30,F#:minor
    segment,0,15,A
    segment,15,30,B

A file without an observation of a kind has no reference for that stage and is skipped by it.
"""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from pathlib import Path

import numpy as np
from attrs import frozen

from mirloop.errors import DatasetError, SpellingError
from mirloop.types import Key
from mirloop.types.spelling import read_key


@frozen(eq=False)
class Truth:
    """What is known about one file: tempo (BPM), key, section intervals (s); ``None`` if unknown."""

    tempo: float | None = None
    key: Key | None = None
    intervals: np.ndarray | None = None
    #: ``(start, end, key)`` of each annotated key region, by start; empty when no key is known.
    key_regions: tuple[tuple[float, float, Key], ...] = ()

    @property
    def stages(self) -> tuple[str, ...]:
        """The stages this file can score."""
        known = {"tempo": self.tempo is not None, "key": self.key is not None or bool(self.key_regions),
                 "segmenter": self.intervals is not None and len(self.intervals) > 0}
        return tuple(stage for stage, ok in known.items() if ok)


def read_truth(path: str | os.PathLike[str]) -> Truth:
    """The :class:`Truth` in a ``.jams`` or ``.csv`` annotation file."""
    path = Path(path)
    observations = _read_jams(path) if path.suffix.lower() == ".jams" else _read_csv(path)
    tempo = _dominant(observations["tempo"])
    key = _dominant(observations["key"])
    segments = sorted((start, end) for start, end, _ in observations["segment"])
    regions = sorted(
        (start, end, parse_key(str(value), path)) for start, end, value in observations["key"] if end > start
    )
    return Truth(
        tempo=float(str(tempo)) if tempo is not None else None,
        key=parse_key(str(key), path) if key is not None else None,
        intervals=np.array(segments, dtype=np.float64) if segments else None,
        key_regions=tuple(regions),
    )


def parse_key(text: str, where: Path | str = "") -> Key:
    """``"A:minor"``, ``"A minor"``, ``"Db:major"`` → :class:`Key` (enharmonics folded; major when
    no mode is written), read by :func:`mirloop.types.spelling.read_key`."""
    try:
        tonic, mode = read_key(text)
    except SpellingError:
        hint = "write e.g. 'A:minor' or 'Eb:major'"
        raise DatasetError(f"{where}: cannot read the key {text!r}; {hint}") from None
    return Key(tonic, mode or "major")


Observation = tuple[float, float, object]


#: Share of the annotated time a tempo or key must cover to be the file's reference.
DOMINANT_SHARE = 0.5


def _dominant(observations: list[Observation]) -> object | None:
    """The value covering at least :data:`DOMINANT_SHARE` of the annotated time, else ``None``."""
    totals: dict[object, float] = defaultdict(float)
    for start, end, value in observations:
        totals[value] += max(end - start, 0.0)
    if not totals:
        return None
    best = max(totals, key=lambda v: totals[v])
    whole = sum(totals.values())
    return best if whole > 0 and totals[best] >= DOMINANT_SHARE * whole else None


def _read_jams(path: Path) -> dict[str, list[Observation]]:
    import jams

    try:
        jam = jams.load(str(path), validate=False)
    except Exception as exc:
        raise DatasetError(f"{path}: not a readable JAMS file ({exc})") from exc
    found: dict[str, list[Observation]] = defaultdict(list)
    for namespace, kind in (("tempo", "tempo"), ("key_mode", "key"), ("segment_open", "segment")):
        annotations = jam.search(namespace=namespace)
        if not annotations:
            continue
        for obs in annotations[0].data:
            found[kind].append((float(obs.time), float(obs.time + obs.duration), obs.value))
    return found


def _read_csv(path: Path) -> dict[str, list[Observation]]:
    found: dict[str, list[Observation]] = defaultdict(list)
    try:
        with path.open(newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or not {"kind", "start", "end", "value"} <= set(reader.fieldnames):
                raise DatasetError(f"{path}: expected the header kind,start,end,value")
            for line, row in enumerate(reader, start=2):
                kind = row["kind"].strip().lower()
                if kind not in ("tempo", "key", "segment"):
                    raise DatasetError(f"{path}:{line}: kind must be tempo, key or segment, got {kind!r}")
                value: object = float(row["value"]) if kind == "tempo" else row["value"].strip()
                found[kind].append((float(row["start"]), float(row["end"]), value))
    except ValueError as exc:
        raise DatasetError(f"{path}: a start, end or tempo is not a number ({exc})") from exc
    return found
