"""Scores of a classifier on labelled real music: agreement with bootstrap intervals, confusion, spread.

A track *agrees* when its track-level genre is one of the catalog genres its coarse label
accepts (:class:`~mirloop.evaluation.coarse_genres.CoarseGenres`); ``unknown`` never agrees.
Intervals are percentile bootstraps over tracks (:func:`mirloop.loop.scores.bootstrap_ci`), seeded,
so a rerun gives the same numbers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from attrs import frozen

from mirloop.errors import InvalidValueError
from mirloop.evaluation.coarse_genres import CoarseGenres
from mirloop.loop.scores import bootstrap_ci, spread
from mirloop.types.prediction import UNKNOWN

#: Bootstrap resamples of the agreement intervals.
DEFAULT_BOOTSTRAP = 1000
#: Interval level of the bootstrap.
LEVEL = 0.95
#: Most frequent predictions listed in a spread.
TOP_PREDICTIONS = 5


@frozen
class Agreement:
    """``agreed`` of ``n`` tracks agree (``value``), with its bootstrap interval."""

    n: int
    agreed: int
    value: float
    ci_low: float
    ci_high: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "agreed": self.agreed,
            "agreement": _finite(self.value),
            "ci_low": _finite(self.ci_low),
            "ci_high": _finite(self.ci_high),
        }


def agreement_of(flags: Sequence[bool], *, n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0) -> Agreement:
    """The share of true ``flags`` and its 95 % percentile bootstrap interval (resampling tracks)."""
    values = [1.0 if f else 0.0 for f in flags]
    if not values:
        return Agreement(0, 0, math.nan, math.nan, math.nan)
    low, high = bootstrap_ci(values, level=LEVEL, n_boot=n_boot, seed=seed)
    return Agreement(len(values), int(sum(values)), float(np.mean(values)), low, high)


def prediction_spread(labels: Sequence[str]) -> dict[str, Any]:
    """:func:`~mirloop.loop.scores.spread` of ``labels`` plus the :data:`TOP_PREDICTIONS` commonest
    with their counts (``top_counts``, a list of ``[label, count]``)."""
    found = spread(labels)
    found["top_counts"] = [[label, n] for label, n in Counter(labels).most_common(TOP_PREDICTIONS)]
    return {key: _finite(value) if isinstance(value, float) else value for key, value in found.items()}


@frozen(eq=False)
class RealMusicScores:
    """Agreement overall, on recordings only, on ``named`` labels only and per coarse label; the
    confusion of coarse labels
    (``rows``) with predicted genres (``columns``, ``unknown`` last); the ``unknown`` rate; the
    spread of the predicted genres and descriptors."""

    overall: Agreement
    recording: Agreement | None
    named: Agreement | None
    per_label: dict[str, Agreement]
    unknown_rate: float
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    confusion: np.ndarray
    genre_spread: dict[str, Any]
    descriptor_spread: dict[str, Any]
    n_boot: int
    seed: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "agreement": self.overall.to_dict(),
            "recording_agreement": None if self.recording is None else self.recording.to_dict(),
            "named_agreement": None if self.named is None else self.named.to_dict(),
            "per_label": {label: a.to_dict() for label, a in self.per_label.items()},
            "unknown_rate": _finite(self.unknown_rate),
            "confusion": {
                "rows": list(self.rows),
                "columns": list(self.columns),
                "counts": self.confusion.astype(int).tolist(),
            },
            "genre_spread": self.genre_spread,
            "descriptor_spread": self.descriptor_spread,
            "bootstrap": {"resamples": self.n_boot, "level": LEVEL, "seed": self.seed},
        }


def score_predictions(
    labels: Sequence[str],
    genres: Sequence[str],
    *,
    coarse: CoarseGenres,
    kinds: Sequence[str] | None = None,
    bases: Sequence[str] | None = None,
    descriptors: Sequence[str] = (),
    catalog_genres: Sequence[str] = (),
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> RealMusicScores:
    """Score predicted track ``genres`` against coarse ``labels`` (one per track, same order).

    ``kinds`` (one per track) adds the agreement on ``recording`` tracks when other kinds are
    present; ``bases`` (one label basis per track) adds the agreement on ``named`` labels when
    both ``named`` and ``context`` labels are present; ``descriptors`` are the predicted
    descriptors (their spread); ``catalog_genres`` are the confusion columns shown even when never
    predicted.
    """
    if len(labels) != len(genres) or any(
        extra is not None and len(extra) != len(labels) for extra in (kinds, bases)
    ):
        raise InvalidValueError("labels, genres, kinds and bases need one entry per track")
    agreed = [coarse.agrees(label, genre) for label, genre in zip(labels, genres)]
    recording = None
    if kinds is not None and set(kinds) - {"recording"}:
        recording = agreement_of(
            [a for a, kind in zip(agreed, kinds) if kind == "recording"], n_boot=n_boot, seed=seed
        )
    named = None
    if bases is not None and {"named", "context"} <= set(bases):
        named = agreement_of(
            [a for a, basis in zip(agreed, bases) if basis == "named"], n_boot=n_boot, seed=seed
        )
    rows = tuple(label for label in coarse.labels if label in set(labels))
    per_label = {
        label: agreement_of([a for a, lab in zip(agreed, labels) if lab == label], n_boot=n_boot, seed=seed)
        for label in rows
    }
    extra = sorted(set(genres) - set(catalog_genres) - {UNKNOWN})
    columns = (*catalog_genres, *extra, UNKNOWN)
    confusion = np.zeros((len(rows), len(columns)), dtype=np.int64)
    for label, genre in zip(labels, genres):
        confusion[rows.index(label), columns.index(genre)] += 1
    return RealMusicScores(
        overall=agreement_of(agreed, n_boot=n_boot, seed=seed),
        recording=recording,
        named=named,
        per_label=per_label,
        unknown_rate=float(np.mean([g == UNKNOWN for g in genres])) if len(genres) else math.nan,
        rows=rows,
        columns=columns,
        confusion=confusion,
        genre_spread=prediction_spread(list(genres)),
        descriptor_spread=prediction_spread([d for d in descriptors if d]),
        n_boot=n_boot,
        seed=seed,
    )


def _finite(value: float) -> float | None:
    """JSON has no NaN: ``None`` for a value that is not finite."""
    return float(value) if math.isfinite(value) else None
