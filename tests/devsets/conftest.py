"""Fixtures for the development-set builders: a tiny Debian package built offline."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

FAKE_PACKAGE = "fake-music-data"
FAKE_VERSION = "1:1.0-1"  # with an epoch, as apt-get writes it into file names (%3a)

COPYRIGHT = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: fake

Files: *
Copyright: 2024 Someone
License: GPL-2+

Files:
 data/music/calm.wav
 data/music/other.wav
Copyright: 2024 Someone Else
License: CC-BY-SA-3.0
"""


def tone(seconds: float, sr: int = 8000, freq: float = 220.0) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


@pytest.fixture(scope="session")
def fake_deb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real .deb (dpkg-deb -b) holding a 25 s OGG, a 22 s WAV, a 3 s jingle and its copyright file."""
    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb is not installed")
    root = tmp_path_factory.mktemp("fakedeb")
    tree = root / "tree"
    music = tree / "usr/share/games/fake/music"
    music.mkdir(parents=True)
    sf.write(music / "Rock_Song.ogg", tone(25.0), 8000, format="OGG", subtype="VORBIS")
    sf.write(music / "calm.wav", tone(22.0, freq=330.0), 8000)
    sf.write(music / "jingle.ogg", tone(3.0), 8000, format="OGG", subtype="VORBIS")
    doc = tree / f"usr/share/doc/{FAKE_PACKAGE}"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(COPYRIGHT)
    (tree / "DEBIAN").mkdir()
    (tree / "DEBIAN/control").write_text(
        f"Package: {FAKE_PACKAGE}\nVersion: {FAKE_VERSION}\nArchitecture: all\n"
        "Maintainer: Nobody <nobody@example.org>\nDescription: music for tests\n test data only\n"
    )
    deb = root / f"{FAKE_PACKAGE}_1%3a1.0-1_all.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-b", str(tree), str(deb)], check=True, capture_output=True
    )
    return deb


@pytest.fixture
def cache(tmp_path: Path, fake_deb: Path) -> Path:
    """A download cache that already holds the fake package (so no network is needed)."""
    debs = tmp_path / "cache" / "debs"
    debs.mkdir(parents=True)
    shutil.copy(fake_deb, debs / fake_deb.name)
    return tmp_path / "cache"
