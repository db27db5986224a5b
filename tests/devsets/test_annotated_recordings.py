"""The annotated set's spliced files draw on the real-music packages: unpacked and licensed as that
set's builder does it, offline from a real .deb in the cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from devsets.annotated import build as annotated
from devsets.common import BuildReport

from tests.devsets.conftest import FAKE_PACKAGE, FAKE_VERSION

SOURCES = f"""
[packages.{FAKE_PACKAGE}]
version = "{FAKE_VERSION}"
root = "usr/share/games/fake/music"
copyright_prefix = "data/music/"
tracks = [{{ glob = "Rock_*.ogg", label = "rock", evidence = "file name 'Rock_Song'" }}]
unlabelled = [{{ glob = "*", hint = "no genre stated" }}]
"""


def test_recordings_long_enough_are_found_with_their_copyright_licenses(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sources.toml").write_text(SOURCES)
    monkeypatch.setattr(annotated, "REAL_SOURCES", tmp_path / "sources.toml")
    monkeypatch.setattr(annotated, "MIN_RECORDING_SECONDS", 20.0)  # the fake songs last 22 and 25 s
    report = BuildReport()

    found = annotated.recordings(cache, tmp_path / "out", report)

    licenses = {r.track_id: r.license for r in found}
    assert licenses == {f"{FAKE_PACKAGE}__rock_song": "GPL-2+", f"{FAKE_PACKAGE}__calm": "CC-BY-SA-3.0"}
    assert all(r.file.is_file() and r.version == FAKE_VERSION for r in found)
    assert (tmp_path / "out" / "licenses" / f"{FAKE_PACKAGE}.copyright").read_text().startswith("Format:")
    assert (report.written, report.unchanged, report.warnings) == (1, 0, [])

    annotated.recordings(cache, tmp_path / "out", report)
    assert (report.written, report.unchanged) == (1, 1)
