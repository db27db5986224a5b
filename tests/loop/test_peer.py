"""A second listener beside the loop's classifier: its view of every input segment in the report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mirloop.errors import BackendNotFoundError, ConfigError
from mirloop.loop.peer import AUTO_PEER, parse_peer, resolve_peer
from mirloop.loop.run import run_loop
from mirloop.loop.settings import LoopSettings

#: The shipped MLP on librosa features stands in for a real-music tagger: a real, installed peer.
PEER = "mlp:librosa"


@pytest.fixture(scope="module")
def peer_run(tracks: dict[str, Path], tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("loop-peer")
    settings = LoopSettings(renders=1, descriptors=1, seed=0, audio=False, peer=PEER)
    run_loop([tracks["reference"]], out, model=tiny_model, settings=settings)
    return out


def test_every_input_segment_carries_the_peers_genre_and_mood_with_probabilities(peer_run: Path) -> None:
    segments = pd.read_csv(peer_run / "reference" / "segments.csv")

    for column in ("genre_probability", "mood_probability", "peer_genre", "peer_genre_probability",
                   "peer_mood", "peer_mood_probability"):
        assert column in segments.columns, column
    assert segments["peer_genre_probability"].between(0, 1).all()
    assert segments["genre_probability"].between(0, 1).all()
    html = (peer_run / "report.html").read_text()
    assert "peer_genre" in html


def test_the_peer_is_timed_and_recorded_in_the_settings(peer_run: Path) -> None:
    import json

    report = json.loads((peer_run / "report.json").read_text())
    assert report["config"]["settings"]["peer"] == PEER
    assert "peer" in report["tracks"][0]["timings"]


def test_without_a_peer_the_segments_have_no_peer_columns(
    tracks: dict[str, Path], tiny_model: Path, tmp_path: Path
) -> None:
    run_loop([tracks["reference"]], tmp_path, model=tiny_model, settings=LoopSettings(renders=1, audio=False))

    segments = pd.read_csv(tmp_path / "reference" / "segments.csv")
    assert not [c for c in segments.columns if c.startswith("peer_")]
    assert "genre_probability" in segments.columns


def test_peer_names_are_parsed_and_checked() -> None:
    assert parse_peer("musicnn") == ("musicnn", "musicnn")
    assert parse_peer("mlp:librosa") == ("mlp", "librosa")
    assert resolve_peer("none") == ""
    assert resolve_peer("mlp:librosa") == "mlp:librosa"
    assert resolve_peer("auto") in ("", AUTO_PEER)
    with pytest.raises(ConfigError):
        parse_peer(":librosa")
    with pytest.raises(BackendNotFoundError, match="no classifier backend named 'tagger9000'"):
        resolve_peer("tagger9000")
