"""Scoring real music: the coarse-genre mapping, agreement arithmetic and its bootstrap interval."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from mirloop.errors import ConfigError
from mirloop.evaluation.coarse_genres import MAPPING_FILE, load_coarse_genres
from mirloop.evaluation.real_scores import agreement_of, score_predictions

CATALOG = ("ambient", "cinematic", "documentary", "electronica", "folk", "hiphop", "jazz", "pop", "rock")


def test_the_shipped_mapping_is_the_documented_table_and_fits_the_installed_catalog() -> None:
    coarse = load_coarse_genres()  # checked against the installed catalog's genres

    assert coarse.source == str(MAPPING_FILE)
    assert coarse.accepted == {
        "orchestral": ("cinematic", "documentary"),
        "classical": ("cinematic", "documentary"),
        "electronic": ("electronica",),
        "rock": ("rock",),
        "metal": ("rock",),
        "ambient": ("ambient",),
        "jazz": ("jazz",),
        "folk": ("folk",),
        "hiphop": ("hiphop",),
        "pop": ("pop",),
        "country": ("folk", "pop"),
    }
    assert coarse.agrees("country", "pop") and not coarse.agrees("country", "rock")
    assert not coarse.agrees("rock", "unknown")


def test_a_mapping_naming_a_genre_the_catalog_lacks_is_refused(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[labels]\nrock = ["rock"]\nmetal = ["metal"]\n')

    with pytest.raises(
        ConfigError, match=r"label 'metal' lists genre\(s\) \['metal'\] the catalog does not have"
    ):
        load_coarse_genres(mapping, genres=CATALOG)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "needs a \\[labels\\] table"),
        ("[labels]\nrock = []\n", "non-empty list"),
        ("[labels", "not valid TOML"),
    ],
)
def test_a_malformed_mapping_is_refused(tmp_path: Path, text: str, problem: str) -> None:
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(text)

    with pytest.raises(ConfigError, match=problem):
        load_coarse_genres(mapping, genres=CATALOG)


def test_scores_count_agreement_per_label_confusion_unknown_and_spread() -> None:
    coarse = load_coarse_genres(genres=CATALOG)
    labels = ["orchestral", "orchestral", "orchestral", "electronic", "electronic", "metal", "country"]
    genres = ["cinematic", "documentary", "unknown", "electronica", "cinematic", "rock", "folk"]
    kinds = ["recording"] * 5 + ["module-render", "recording"]
    descriptors = ["a", "a", "b", "c", "a", "d", "e"]

    scores = score_predictions(
        labels,
        genres,
        coarse=coarse,
        kinds=kinds,
        descriptors=descriptors,
        catalog_genres=CATALOG,
        n_boot=100,
    )

    assert (scores.overall.agreed, scores.overall.n) == (5, 7)
    assert scores.overall.value == pytest.approx(5 / 7)
    assert scores.recording is not None and (scores.recording.agreed, scores.recording.n) == (4, 6)
    assert {k: (a.agreed, a.n) for k, a in scores.per_label.items()} == {
        "orchestral": (2, 3),
        "electronic": (1, 2),
        "metal": (1, 1),
        "country": (1, 1),
    }
    assert scores.rows == ("orchestral", "electronic", "metal", "country")  # the mapping's order
    assert scores.columns == (*CATALOG, "unknown")
    assert scores.confusion[0].tolist() == [0, 1, 1, 0, 0, 0, 0, 0, 0, 1]
    assert scores.confusion.sum() == 7
    assert scores.unknown_rate == pytest.approx(1 / 7)
    shares = np.array([3, 1, 1, 1, 1]) / 7  # descriptor a ×3, b, c, d, e
    assert scores.descriptor_spread["entropy"] == pytest.approx(float(-(shares * np.log2(shares)).sum()))
    assert scores.descriptor_spread["distinct"] == 5 and scores.descriptor_spread["top_counts"][0] == ["a", 3]
    assert scores.genre_spread["distinct"] == 6


def test_a_genre_outside_the_catalog_gets_its_own_confusion_column() -> None:
    coarse = load_coarse_genres(genres=CATALOG)

    scores = score_predictions(["rock"], ["metalcore"], coarse=coarse, catalog_genres=CATALOG, n_boot=10)

    assert scores.columns[-2:] == ("metalcore", "unknown") and scores.overall.agreed == 0
    assert scores.recording is None  # no kinds given: no recording-only line


def test_agreement_on_named_labels_is_reported_when_context_labels_are_scored_too() -> None:
    coarse = load_coarse_genres(genres=CATALOG)
    labels = ["rock", "rock", "electronic", "electronic"]
    genres = ["rock", "folk", "electronica", "electronica"]

    mixed = score_predictions(
        labels, genres, coarse=coarse, bases=["named", "named", "context", "context"], n_boot=10
    )
    named_only = score_predictions(labels, genres, coarse=coarse, bases=["named"] * 4, n_boot=10)

    assert mixed.named is not None and (mixed.named.agreed, mixed.named.n) == (1, 2)
    assert (mixed.overall.agreed, mixed.overall.n) == (3, 4)
    assert mixed.to_dict()["named_agreement"]["n"] == 2
    assert named_only.named is None and named_only.to_dict()["named_agreement"] is None
    with pytest.raises(ValueError, match="one entry per track"):
        score_predictions(labels, genres, coarse=coarse, bases=["named"], n_boot=10)


def test_the_bootstrap_interval_is_seeded_and_degenerate_when_every_track_agrees() -> None:
    flags = [True] * 13 + [False] * 7

    first, again = (agreement_of(flags, n_boot=500, seed=3) for _ in range(2))

    assert (first.ci_low, first.ci_high) == (again.ci_low, again.ci_high)
    assert first.ci_low < 0.65 < first.ci_high
    assert (agreement_of([True] * 9).ci_low, agreement_of([True] * 9).ci_high) == (1.0, 1.0)
    assert math.isnan(agreement_of([]).value) and agreement_of([]).n == 0


def test_the_95_percent_interval_covers_the_true_agreement_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(7)
    truth, n_tracks, trials = 0.6, 60, 300

    covered = [
        (a := agreement_of((rng.random(n_tracks) < truth).tolist(), n_boot=400, seed=trial)).ci_low
        <= truth
        <= a.ci_high
        for trial in range(trials)
    ]

    # a percentile bootstrap of a proportion is a little narrow at n = 60; 0.90–0.98 is its range
    assert 0.90 <= np.mean(covered) <= 0.98
