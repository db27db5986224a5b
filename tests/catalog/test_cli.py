"""``mirloop descriptors``: the table, one descriptor in full, the tree, and JSON output."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from mirloop.catalog import load_catalog
from mirloop.cli.main import cli, main


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["descriptors", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_list_prints_a_table_of_every_descriptor() -> None:
    lines = run().splitlines()
    assert lines[0].split()[:3] == ["name", "id", "sentiment"]
    assert len(lines) == len(load_catalog()) + 2  # header and summary
    assert lines[-1].startswith(f"{len(load_catalog())} of {len(load_catalog())} descriptors")


def test_list_filters_combine() -> None:
    out = run("--genre", "rock", "--subgenre", "indie", "--sentiment", "negative")
    names = [line.split()[0] for line in out.splitlines()[1:-1]]
    assert names and all(n.startswith("rock_indie_") for n in names)
    assert "rock_indie_sad" in names and "rock_indie_happy" not in names


def test_list_as_json_carries_the_style() -> None:
    data = json.loads(run("--mood", "primal_pulsing", "--json"))
    assert {d["name"] for d in data} >= {"cinematic_percussion_primal_pulsing"}
    assert all("bands" in d["style"] for d in data)


def test_show_prints_every_constraint() -> None:
    out = run("show", "cinematic_percussion_primal_pulsing")
    for label in ("tempo:", "scales:", "progressions:", "harmonic rhythm:", "register:", "articulation",
                  "rhythms:", "bands:", "taiko_ensemble"):
        assert label in out


def test_show_json_round_trips_the_descriptor() -> None:
    d = load_catalog()["jazz_swing_cool"]
    data = json.loads(run("show", str(d.id), "--json"))
    assert data["name"] == d.name and data["style"]["tempo_range"] == list(d.style.tempo_range)


def test_tree_lists_genres_subgenres_and_moods() -> None:
    out = run("tree")
    assert "cinematic\n  ambient (" in out
    assert json.loads(run("tree", "--json")) == load_catalog().tree()


def test_unknown_names_fail_with_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["descriptors", "show", "rock_indi_sad"]) == 2
    assert "did you mean 'rock_indie_sad'" in capsys.readouterr().err
    assert main(["descriptors", "--genre", "rokc"]) == 2
    assert "unknown genre 'rokc'; did you mean 'rock'?" in capsys.readouterr().err
