"""Grid and segment tables: one row per 2-s window, one row per form segment."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mirloop.io.tables import grid_table, segment_table, write_csv, write_parquet
from mirloop.types import FEATURE_NAMES
from tests.io.analyses import sample_analysis


def test_grid_table_has_one_row_per_window_with_every_estimate() -> None:
    analysis = sample_analysis()

    table = grid_table(analysis)

    assert len(table) == analysis.grid.n_windows == 11
    assert list(table.columns[:3]) == ["window", "start", "end"]
    assert set(FEATURE_NAMES) <= set(table.columns)
    assert list(table["start"][:3]) == [0.0, 2.0, 4.0]
    assert list(table["end"][:2]) == [10.0, 12.0]
    assert table["tempo_bpm"].iloc[0] == 120.0
    assert table["key"].iloc[0] == "A minor" and table["key"].iloc[-1] == "C major"
    # window 0 is centred at 5 s (segment A), window 10 at 25 s (segment B)
    assert table["segment"].iloc[0] == "A" and table["segment"].iloc[-1] == "B"
    assert list(table["genre"][-2:]) == ["rock", "jazz"]
    assert table["genre_probability"].iloc[-1] == pytest.approx(0.8)


def test_grid_table_omits_stages_that_did_not_run() -> None:
    table = grid_table(sample_analysis(classifier=False))

    assert "genre" not in table.columns and "tempo_bpm" in table.columns


def test_segment_table_takes_the_most_common_tempo_and_key_of_its_windows() -> None:
    table = segment_table(sample_analysis())

    assert list(table.columns) == ["start", "end", "duration", "label", "tempo_bpm", "key"]
    assert list(table["label"]) == ["A", "B"]
    assert list(table["duration"]) == [12.0, 18.0]
    # A holds the windows centred at 5, 7, 9, 11 s (120 BPM, A minor)
    assert table.loc[0, "tempo_bpm"] == 120.0 and table.loc[0, "key"] == "A minor"
    # B holds the windows centred at 13 … 25 s: 90 BPM; keys 13 s A minor, 15–25 s C major
    assert table.loc[1, "tempo_bpm"] == 90.0 and table.loc[1, "key"] == "C major"


def test_a_segment_between_window_centres_uses_the_nearest_window() -> None:
    from attrs import evolve

    from mirloop.types import Segment, Segmentation

    analysis = sample_analysis()
    short = Segmentation((Segment(0.0, 5.5, "A"), Segment(5.5, 5.9, "B"), Segment(5.9, 30.0, "C")), 3)
    table = segment_table(evolve(analysis, segmentation=short))

    assert table.loc[1, "key"] == "A minor" and table.loc[1, "tempo_bpm"] == 120.0


def test_tables_round_trip_through_parquet_and_csv(tmp_path: Path) -> None:
    analysis = sample_analysis()
    grid, segments = grid_table(analysis), segment_table(analysis)

    write_parquet(grid, tmp_path / "g.parquet")
    write_csv(segments, tmp_path / "s.csv")

    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "g.parquet"), grid)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "s.csv"), segments)
