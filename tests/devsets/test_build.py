"""The builder end to end, offline: a real .deb in the cache, unpacked, copied, listed, licensed."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from typing import Any

import pytest
from devsets.real_music.build import build, main, score_track_id, summary, track_ids
from devsets.real_music.sources import parse_sources

from tests.devsets.conftest import FAKE_PACKAGE, FAKE_VERSION


def fake_sources(**extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "version": FAKE_VERSION,
        "root": "usr/share/games/fake/music",
        "copyright_prefix": "data/music/",
        "tracks": [{"glob": "Rock_*.ogg", "label": "rock", "evidence": "file name 'Rock_Song'"}],
        "unlabelled": [{"glob": "*", "hint": "no genre stated"}],
    }
    entry.update(extra)
    return {"packages": {FAKE_PACKAGE: entry}}


def rows_of(out: Path) -> list[dict[str, str]]:
    with (out / "manifest.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_package_becomes_audio_a_manifest_and_its_license(tmp_path: Path, cache: Path) -> None:
    out = tmp_path / "set"
    rows, report = build(parse_sources(fake_sources()), out, cache)

    listed = {r["track_id"]: r for r in rows_of(out)}
    assert set(listed) == {"fake-music-data__rock_song", "fake-music-data__calm"}
    rock, calm = listed["fake-music-data__rock_song"], listed["fake-music-data__calm"]
    assert (rock["coarse_label"], rock["kind"], rock["license"]) == ("rock", "recording", "GPL-2+")
    assert (calm["coarse_label"], calm["license"], calm["hint"]) == ("", "CC-BY-SA-3.0", "no genre stated")
    assert rock["source"] == "fake-music-data 1:1.0-1"
    assert rock["group"] == calm["group"] == FAKE_PACKAGE
    assert float(rock["duration_s"]) == pytest.approx(25.0, abs=0.01)
    unpacked = next((cache / "unpacked").iterdir()) / "usr/share/games/fake/music/Rock_Song.ogg"
    assert (out / rock["path"]).read_bytes() == unpacked.read_bytes()
    assert (out / "licenses" / f"{FAKE_PACKAGE}.copyright").read_text().startswith("Format:")
    assert report.skipped_short == [f"{FAKE_PACKAGE}/jingle.ogg (3.0 s)"]
    assert [r.track_id for r in rows] == list(listed)  # labelled first


def test_a_rerun_rewrites_nothing_and_gives_the_same_manifest(tmp_path: Path, cache: Path) -> None:
    out = tmp_path / "set"
    sources = parse_sources(fake_sources())
    build(sources, out, cache)
    before = (out / "manifest.csv").read_bytes()
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}

    _, report = build(sources, out, cache)

    assert report.written == 0 and report.unchanged == 2
    assert (out / "manifest.csv").read_bytes() == before
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamps


def test_a_pattern_that_matches_nothing_warns_and_the_build_goes_on(tmp_path: Path, cache: Path) -> None:
    sources = parse_sources(
        fake_sources(tracks=[{"glob": "Metal_*.ogg", "label": "metal", "evidence": "file name 'Metal'"}])
    )
    rows, report = build(sources, tmp_path / "set", cache)
    assert any("'Metal_*.ogg' (metal) matched nothing" in w for w in report.warnings)
    assert len(rows) == 2 and all(not r.coarse_label for r in rows)


def test_a_package_apt_cannot_find_is_reported_and_the_others_are_built(tmp_path: Path, cache: Path) -> None:
    if shutil.which("apt-get") is None:
        pytest.skip("apt-get is not installed")
    data = fake_sources()
    data["packages"]["mirloop-no-such-package"] = {
        "version": "0.0-0",
        "root": "usr",
        "unlabelled": [{"glob": "*.ogg"}],
    }
    rows, report = build(parse_sources(data), tmp_path / "set", cache)
    assert len(report.failures) == 1
    assert report.failures[0].startswith(
        "mirloop-no-such-package: apt-get download mirloop-no-such-package=0.0-0"
    )
    assert len(rows) == 2


def test_only_rebuilds_the_named_groups_and_keeps_the_other_rows(tmp_path: Path, cache: Path) -> None:
    out = tmp_path / "set"
    build(parse_sources(fake_sources()), out, cache)
    manifest = out / "manifest.csv"
    kept = "elsewhere__song,audio/elsewhere/song.ogg,folk,elsewhere,elsewhere 2.0-1,recording,GPL-2,e\n"
    manifest.write_text(manifest.read_text() + kept)

    build(parse_sources(fake_sources()), out, cache, only=(FAKE_PACKAGE,))

    groups = sorted(r["group"] for r in rows_of(out))
    assert groups == ["elsewhere", FAKE_PACKAGE, FAKE_PACKAGE]


def test_two_files_with_the_same_stem_get_distinct_ids() -> None:
    ids = track_ids("pkg", ["forest/cave.ogg", "ice/cave.ogg", "boss.ogg"])
    assert ids == {
        "forest/cave.ogg": "pkg__forest_cave",
        "ice/cave.ogg": "pkg__ice_cave",
        "boss.ogg": "pkg__boss",
    }


def test_the_summary_counts_tracks_per_label_basis_and_kind(tmp_path: Path, cache: Path) -> None:
    context = {"glob": "calm.wav", "label": "ambient", "basis": "context", "evidence": "clip list: 'ambient'"}
    sources = fake_sources()
    sources["packages"][FAKE_PACKAGE]["tracks"].append(context)
    rows, _ = build(parse_sources(sources), tmp_path / "set", cache)

    table = list(summary(rows))

    assert table[0] == "| label | basis | recording | module-render | score-render | total | minutes |"
    assert "| rock | named | 1 | 0 | 0 | 1 | 0.4 |" in table
    assert "| ambient | context | 1 | 0 | 0 | 1 | 0.4 |" in table
    assert "| **labelled** | named | 1 | 0 | 0 | 1 | 0.4 |" in table
    assert "| **labelled** | context | 1 | 0 | 0 | 1 | 0.4 |" in table
    assert "| **all** |  | 2 | 0 | 0 | 2 | 0.8 |" in table
    assert {r["track_id"]: r["label_basis"] for r in rows_of(tmp_path / "set")} == {
        "fake-music-data__rock_song": "named",
        "fake-music-data__calm": "context",
    }


def test_the_command_line_prints_the_table_and_fails_on_a_bad_sources_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text(
        '[packages.x]\nversion = "1"\nroot = "usr"\n[[packages.x.tracks]]\nglob = "a"\nlabel = "blues"\n'
    )
    assert main(["--out", str(tmp_path / "set"), "--sources", str(bad)]) == 2
    assert "unknown coarse label 'blues'" in capsys.readouterr().err


def test_score_track_ids_keep_the_work_path_and_the_piece_number() -> None:
    tunes = parse_sources(
        {
            "scores": {
                "airdsAirs": {"label": "folk", "evidence": "airs", "works": ["airdsAirs/book1.abc#0001"]}
            }
        }
    ).scores[0]
    assert score_track_id(tunes, "airdsAirs/book1.abc#0001") == "music21-airdsAirs__book1_0001"
    assert score_track_id(tunes, "handel/rinaldo/Lascia_chio_pianga.mxl") == (
        "music21-airdsAirs__rinaldo_lascia_chio_pianga"
    )


@pytest.mark.render
def test_a_score_collection_renders_once_and_is_reused_from_the_cache(tmp_path: Path) -> None:
    pytest.importorskip("music21")
    if not Path("/usr/share/sounds/sf2/FluidR3_GM.sf2").is_file():
        pytest.skip("fluid-soundfont-gm is not installed")
    work = "airdsAirs/book1.abc#0001"
    sources = parse_sources(
        {"scores": {"airdsAirs": {"label": "folk", "evidence": "Aird's airs.", "works": [work]}}}
    )
    out, cache = tmp_path / "set", tmp_path / "cache"
    rows, _ = build(sources, out, cache)
    (row,) = rows
    assert (row.coarse_label, row.kind, row.group) == ("folk", "score-render", "music21-airdsAirs")
    assert row.evidence == f"Aird's airs. Work: {work} (The Ranting Highlandman.)."
    assert len(list((cache / "renders").glob("*.flac"))) == 1
    first = (out / row.path).read_bytes()

    (out / row.path).unlink()
    rows_again, _ = build(sources, out, cache)

    assert rows_again == rows and (out / row.path).read_bytes() == first


def test_a_file_no_longer_taken_is_removed_from_the_set(tmp_path: Path, cache: Path) -> None:
    out = tmp_path / "set"
    build(parse_sources(fake_sources()), out, cache)
    assert (out / "audio" / FAKE_PACKAGE / "calm.wav").is_file()

    _, report = build(parse_sources(fake_sources(exclude=["calm.wav"])), out, cache)

    assert report.removed == [f"audio/{FAKE_PACKAGE}/calm.wav"]
    assert sorted(p.name for p in (out / "audio" / FAKE_PACKAGE).iterdir()) == ["rock_song.ogg"]


def test_a_package_that_cannot_be_fetched_on_a_rebuild_keeps_its_rows_and_audio(
    tmp_path: Path, cache: Path
) -> None:
    if shutil.which("apt-get") is None:
        pytest.skip("apt-get is not installed")
    out = tmp_path / "set"
    build(parse_sources(fake_sources()), out, cache)
    before = rows_of(out)
    audio = sorted(p.relative_to(out) for p in (out / "audio").rglob("*") if p.is_file())

    _, report = build(parse_sources(fake_sources(version="9.9-9")), out, cache)  # not fetchable

    assert len(report.failures) == 1 and FAKE_PACKAGE in report.failures[0]
    assert rows_of(out) == before
    assert sorted(p.relative_to(out) for p in (out / "audio").rglob("*") if p.is_file()) == audio
