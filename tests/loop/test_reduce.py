"""Merging and reduction: majority rules per segment, valid descriptors, unknowns carried through."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mirloop.catalog import load_catalog
from mirloop.loop import merged_grid, reduce_segments, top_candidates
from mirloop.types import (
    Analysis,
    Grid,
    Key,
    KeyEstimate,
    Prediction,
    Segment,
    Segmentation,
    TargetPrediction,
)
from mirloop.types.descriptor import TARGETS
from mirloop.types.prediction import UNKNOWN

CATALOG = load_catalog()


def grid_rows(
    labels: dict[str, list[str]], *, tempo: list[float] | None = None, keys: list[str] | None = None
) -> pd.DataFrame:
    """A merged grid (2-s hop, 10-s windows) with the given window labels."""
    n = len(next(iter(labels.values())))
    starts = np.arange(n) * 2.0
    table = pd.DataFrame({"window": np.arange(n), "start": starts, "end": starts + 10.0, **labels})
    table["tempo_bpm"] = tempo if tempo is not None else [120.0] * n
    table["key"] = keys if keys is not None else ["A minor"] * n
    return table


def labels_of(descriptor: str, n: int) -> dict[str, list[str]]:
    d = CATALOG[descriptor]
    return {t: [d.target(t)] * n for t in TARGETS}


def test_merged_grid_has_every_stage_on_the_grid() -> None:
    grid = Grid(30.0)
    n = grid.n_windows
    probabilities = np.tile([0.7, 0.3], (n, 1))
    prediction = Prediction({t: TargetPrediction(t, ("a", "b"), probabilities) for t in TARGETS})
    analysis = Analysis(
        source="x",
        duration=30.0,
        sr=22050,
        grid=grid,
        prediction=prediction,
        key=KeyEstimate(Key("A", "minor"), 0.9, (Key("A", "minor"),) * n, np.ones(n)),
        segmentation=Segmentation((Segment(0, 15, "A"), Segment(15, 30, "B")), 2),
    )
    merged = merged_grid(analysis)
    assert len(merged) == n
    assert {"start", "end", "key", "segment", "segment_label", "genre", "genre_probability"} <= set(merged)
    assert list(merged["segment_label"]) == ["A" if c < 15 else "B" for c in grid.centers]
    assert merged["genre_probability"].tolist() == pytest.approx([0.7] * n)


def test_each_segment_gets_its_majority_and_an_existing_descriptor() -> None:
    rock, folk = "rock_indie_driving", CATALOG.filter(genre="folk")[0].name
    a, b = labels_of(rock, 6), labels_of(folk, 6)
    a["mood"][0] = "peaceful"  # a minority window does not change the majority
    merged = grid_rows(
        {t: a[t] + b[t] for t in TARGETS},
        tempo=[120.0] * 6 + [90.0] * 6,
        keys=["E minor"] * 6 + ["G major"] * 6,
    )
    segments = [Segment(0.0, 17.0, "A"), Segment(17.0, 32.0, "B")]
    reduced = reduce_segments(merged, segments, CATALOG)
    assert list(reduced["descriptor"]) == [rock, folk]
    assert list(reduced["descriptor_source"]) == ["exact", "exact"]
    assert list(reduced["tempo_bpm"]) == [120.0, 90.0] and list(reduced["key"]) == ["E minor", "G major"]
    assert list(reduced["duration"]) == [17.0, 15.0]


def test_a_combination_outside_the_catalog_becomes_the_nearest_valid_descriptor() -> None:
    labels = labels_of("rock_indie_driving", 5)
    labels["subgenre"] = ["ambient"] * 5  # rock/ambient/driving does not exist
    reduced = reduce_segments(grid_rows(labels), [Segment(0.0, 18.0, "A")], CATALOG)
    assert reduced["descriptor_source"][0] == "nearest"
    assert reduced["descriptor"][0] in CATALOG
    assert reduced["descriptor"][0] == CATALOG.nearest("rock", "ambient", "driving").name


def test_unknown_labels_are_carried_through_and_do_not_pick_the_descriptor() -> None:
    labels = labels_of("rock_indie_driving", 5)
    labels["mood"] = [UNKNOWN] * 5
    labels["sentiment"] = [UNKNOWN] * 3 + ["positive"] * 2
    reduced = reduce_segments(grid_rows(labels), [Segment(0.0, 18.0, "A")], CATALOG)
    assert reduced["mood"][0] == UNKNOWN and reduced["sentiment"][0] == UNKNOWN
    descriptor = CATALOG[reduced["descriptor"][0]]
    assert (descriptor.genre, descriptor.subgenre) == ("rock", "indie")


def test_a_segment_that_knows_nothing_borrows_the_tracks_top_descriptor() -> None:
    known = labels_of("rock_indie_driving", 6)
    unknown = {t: [UNKNOWN] * 6 for t in TARGETS}
    merged = grid_rows({t: known[t] + unknown[t] for t in TARGETS})
    reduced = reduce_segments(merged, [Segment(0.0, 17.0, "A"), Segment(17.0, 32.0, "B")], CATALOG)
    assert list(reduced["descriptor_source"]) == ["exact", "track"]
    assert reduced["descriptor"][1] == "rock_indie_driving" and reduced["genre"][1] == UNKNOWN
    nothing = reduce_segments(grid_rows(unknown), [Segment(0.0, 17.0, "A")], CATALOG)
    assert nothing["descriptor"][0] is None and nothing["descriptor_source"][0] == "none"


def test_a_segment_shorter_than_a_hop_still_gets_the_nearest_window() -> None:
    merged = grid_rows(labels_of("rock_indie_driving", 3))
    reduced = reduce_segments(merged, [Segment(0.0, 13.9, "A"), Segment(13.9, 14.0, "B")], CATALOG)
    assert list(reduced["n_windows"]) == [3, 1] and reduced["descriptor"][1] == "rock_indie_driving"


def test_top_candidates_count_windows_and_merge_near_tempi() -> None:
    folk = CATALOG.filter(genre="folk")[0].name
    a, b = labels_of("rock_indie_driving", 5), labels_of(folk, 3)
    merged = grid_rows(
        {t: a[t] + b[t] for t in TARGETS},
        tempo=[120, 121, 122, 120, 90, 90, 90, 140],
        keys=["E minor"] * 5 + ["G major"] * 3,
    )
    top = top_candidates(merged, CATALOG, n_descriptors=3, n_tempi=3, n_keys=1)
    assert top.descriptors == ("rock_indie_driving", folk)
    assert top.tempi == (120.0, 90.0, 140.0)  # 121 and 122 BPM count as 120
    assert top.keys == ("E minor",)


def test_the_rendered_descriptor_carries_the_voted_sentiment_valence_and_momentum() -> None:
    """Majority mood `sad` (negative, 1, 0) against voted positive / 2 / 4: a sibling mood wins."""
    labels = labels_of("rock_indie_sad", 5)
    target = CATALOG.filter(genre="rock", subgenre="indie", sentiment="positive", valence=2, momentum=4)[0]
    for name in ("sentiment", "valence", "momentum"):
        labels[name] = [str(target.target(name))] * 5
    reduced = reduce_segments(grid_rows(labels), [Segment(0.0, 18.0, "A")], CATALOG)
    assert reduced["mood"][0] == "sad"
    assert reduced["descriptor_source"][0] == "agreement"
    chosen = CATALOG[reduced["descriptor"][0]]
    assert (chosen.genre, chosen.subgenre) == ("rock", "indie")
    assert (chosen.sentiment, chosen.valence, chosen.momentum) == ("positive", 2, 4)
