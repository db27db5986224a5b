"""Module renders: a tiny ProTracker module, written here, played by openmpt123 to FLAC."""

from __future__ import annotations

import csv
import io
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from devsets.real_music.build import build
from devsets.real_music.modules import module_info, openmpt_version, render_module
from devsets.real_music.sources import parse_sources

pytestmark = pytest.mark.skipif(shutil.which("openmpt123") is None, reason="apt-get install openmpt123")

#: Seconds of one 64-row pattern at the default speed 6 and 125 BPM (6 ticks of 20 ms per row).
PATTERN_SECONDS = 64 * 6 * 0.02


def protracker_module(*, title: str, sample_name: str, orders: int) -> bytes:
    """A 4-channel M.K. module: one looped square-wave sample, one pattern played ``orders`` times."""
    wave = bytes([0x40] * 16 + [0xC0] * 16)  # signed 8-bit square wave, 32 samples
    header = title.encode("ascii").ljust(20, b"\0")
    header += sample_name.encode("ascii").ljust(22, b"\0") + struct.pack(
        ">HBBHH", len(wave) // 2, 0, 64, 0, 16
    )
    header += (b"\0" * 22 + struct.pack(">HBBHH", 0, 0, 0, 0, 1)) * 30
    header += bytes([orders, 127]) + bytes(128) + b"M.K."
    rows = bytearray()
    for row in range(64):
        for channel in range(4):
            if channel == 0 and row % 8 == 0:
                period = (428, 381, 339, 320)[row // 8 % 4]  # C, D, E, F
                rows += bytes([period >> 8, period & 0xFF, 1 << 4, 0])
            else:
                rows += bytes(4)
    return header + bytes(rows) + wave


def test_a_module_renders_to_the_same_stereo_flac_every_time() -> None:
    module = protracker_module(title="scale", sample_name="square", orders=2)

    first = render_module(module, suffix=".mod", sr=44100, max_seconds=600)
    second = render_module(module, suffix=".mod", sr=44100, max_seconds=600)

    assert first == second
    audio, sr = sf.read(io.BytesIO(first), always_2d=True)
    assert (sr, audio.shape[1]) == (44100, 2)
    assert len(audio) / sr == pytest.approx(2 * PATTERN_SECONDS, abs=0.2)  # played once, no repeat
    assert np.abs(audio).max() > 0.01


def test_a_render_stops_at_its_maximum_length() -> None:
    module = protracker_module(title="long", sample_name="square", orders=3)

    audio, sr = sf.read(io.BytesIO(render_module(module, suffix=".mod", sr=22050, max_seconds=5)))

    assert sr == 22050 and len(audio) / sr == pytest.approx(5.0, abs=0.1)


def test_the_title_and_the_instrument_names_are_read_as_the_module_says_them(tmp_path: Path) -> None:
    path = tmp_path / "tune.mod"
    path.write_bytes(protracker_module(title="my tune", sample_name="Style: Trance", orders=1))

    info = module_info(path)

    assert info["Title"] == "my tune"
    assert info["Message"].splitlines()[0] == "Style: Trance"
    assert openmpt_version()[0].isdigit()


def test_a_package_of_modules_becomes_labelled_flac_renders(tmp_path: Path) -> None:
    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb is not installed")
    tree = tmp_path / "tree"
    music = tree / "usr/share/games/tracker/music"
    music.mkdir(parents=True)
    (music / "song.mod").write_bytes(protracker_module(title="song", sample_name="Style: Trance", orders=3))
    (music / "jingle.mod").write_bytes(protracker_module(title="jingle", sample_name="beep", orders=1))
    doc = tree / "usr/share/doc/tracker-music-data"
    doc.mkdir(parents=True)
    (doc / "copyright").write_text("Format: x\n\nFiles: *\nCopyright: 2024 Someone\nLicense: GPL-3+\n")
    (tree / "DEBIAN").mkdir()
    (tree / "DEBIAN/control").write_text(
        "Package: tracker-music-data\nVersion: 1.0-1\nArchitecture: all\n"
        "Maintainer: Nobody <nobody@example.org>\nDescription: modules for tests\n test data only\n"
    )
    cache = tmp_path / "cache"
    (cache / "debs").mkdir(parents=True)
    deb = cache / "debs" / "tracker-music-data_1.0-1_all.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-b", str(tree), str(deb)], check=True, capture_output=True
    )
    sources = parse_sources(
        {
            "settings": {"min_seconds": 10.0},
            "packages": {
                "tracker-music-data": {
                    "version": "1.0-1",
                    "root": "usr/share/games/tracker/music",
                    "tracks": [
                        {
                            "glob": "song.mod",
                            "label": "electronic",
                            "kind": "module-render",
                            "evidence": "module message 'Style: Trance'",
                        }
                    ],
                    "unlabelled": [{"glob": "*.mod", "kind": "module-render"}],
                }
            },
        }
    )
    out = tmp_path / "set"

    rows, report = build(sources, out, cache)
    again, _ = build(sources, out, cache)

    assert [(r.track_id, r.kind, r.coarse_label, r.label_basis) for r in rows] == [
        ("tracker-music-data__song", "module-render", "electronic", "named")
    ]
    song = rows[0]
    assert song.path == "audio/tracker-music-data/song.flac"
    assert song.source == f"tracker-music-data 1.0-1, rendered by openmpt123 {openmpt_version()}"
    assert float(song.duration_s) == pytest.approx(3 * PATTERN_SECONDS, abs=0.2)
    assert sf.info(out / song.path).samplerate == 44100
    assert [s.split(" (")[0] for s in report.skipped_short] == ["tracker-music-data/jingle.mod"]
    assert again == rows and len(list((cache / "renders").glob("module-*.flac"))) == 2
    listed = list(csv.DictReader((out / "manifest.csv").open()))
    assert listed[0]["label_basis"] == "named" and listed[0]["license"] == "GPL-3+"
