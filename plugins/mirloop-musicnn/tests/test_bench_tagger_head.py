"""The head learnt from renders (benchmarks/bench_tagger_head.py) hears the genres their tags taught it."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from mirloop_musicnn.render_detector import COLUMNS

BENCH = "bench_tagger_head"


def renders(folder: Path) -> Path:
    """A dataset of 40 windows: rock renders loud on MTT `rock`, jazz renders on MSD `jazz`."""
    rng = np.random.default_rng(0)
    tags = rng.uniform(0.01, 0.1, size=(40, len(COLUMNS)))
    genre = np.array(["rock"] * 20 + ["jazz"] * 20)
    tags[:20, COLUMNS.index("musicnn_mtt_rock")] = 0.9
    tags[20:, COLUMNS.index("musicnn_msd_jazz")] = 0.9
    table = pd.DataFrame(tags, columns=list(COLUMNS)).assign(genre=genre)
    table.to_parquet(folder / "features.parquet")
    return folder


def test_the_head_learnt_from_renders_hears_their_genres_in_the_tables_order(
    bench: ModuleType, tmp_path: Path
) -> None:
    genres = ("rock", "jazz")  # not the head's own (sorted) order
    heads = bench.render_heads(str(renders(tmp_path)), genres)
    assert sorted(heads) == sorted(bench.CS)
    track = np.full((3, len(COLUMNS)), 0.05)
    track[:, COLUMNS.index("musicnn_mtt_rock")] = 0.8
    for head in heads.values():
        distribution = head(track)
        assert distribution.shape == (2,)
        assert distribution.sum() == pytest.approx(1.0)
        assert distribution[genres.index("rock")] > 0.5
