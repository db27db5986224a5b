"""Renders of known descriptors, loud and quiet, and a registry with the level backends."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mirloop import plugins
from mirloop.io.audio_out import write_audio_file
from tests.evaluation import level_backends

#: Descriptors rendered for the tests, and the render length (s): one 10-s window and a bit.
RENDERED = ("rock_classic_driving", "ambient_chill_floating")
SECONDS = 12.0
#: Gain of the quiet copies: -40 dB puts a -14 LUFS render's window RMS far below 0.02.
QUIET_GAIN = 0.01


@pytest.fixture(scope="session")
def renders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``<descriptor>`` and ``<descriptor>-quiet``: 12-s renders written as 16-bit FLAC."""
    from mirloop.renderer import render_descriptor

    folder = tmp_path_factory.mktemp("renders")
    files = {}
    for index, name in enumerate(RENDERED):
        audio = render_descriptor(name, SECONDS, seed=index).audio
        samples = audio.samples.T if audio.samples.ndim == 2 else audio.samples
        files[name] = write_audio_file(folder / f"{name}.flac", samples, audio.sr)
        quiet = np.asarray(samples) * QUIET_GAIN
        files[f"{name}-quiet"] = write_audio_file(folder / f"{name}-quiet.flac", quiet, audio.sr)
    return files


@pytest.fixture
def level_registry(monkeypatch: pytest.MonkeyPatch) -> plugins.Registry:
    """The installed plugins plus :mod:`tests.evaluation.level_backends`."""
    registry = plugins.build_registry(extra_plugins=(level_backends,))
    monkeypatch.setattr(plugins, "_REGISTRY", registry)
    return registry


def write_manifest(path: Path, rows: list[dict[str, str]]) -> Path:
    """A manifest with the standard columns; missing cells are empty, ``kind`` defaults to recording."""
    import csv

    from mirloop.evaluation.real_manifest import MANIFEST_COLUMNS

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({"group": row.get("track_id", ""), "kind": "recording", "license": "CC0", **row})
    return path
