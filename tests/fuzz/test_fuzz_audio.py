"""The audio loader: damaged files load or give a MirloopError (AudioError), never anything else.

Seeds are short generated WAV, FLAC and OGG files, and, when present, the first 48 KB of up
to eight real clips from the folder named by ``MIRLOOP_FUZZ_AUDIO`` (``make fuzz`` points it at
the real-music development set, ``real-dev-set/`` by default).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given
from hypothesis import strategies as st

from mirloop.io.audio import load_audio
from tests.fuzz.conftest import byte_mutations, only_mirloop_errors
from tests.pipelines.audio_files import tone

REAL_PREFIX = 48 * 1024
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3", ".opus")


def generated() -> dict[str, bytes]:
    stereo = np.stack([tone(0.5, 22050), tone(0.5, 22050, freq=660.0)], axis=1)
    seeds = {}
    formats = ((".wav", "WAV", "PCM_16"), (".flac", "FLAC", "PCM_16"), (".ogg", "OGG", "VORBIS"))
    for suffix, fmt, subtype in formats:
        buffer = io.BytesIO()
        sf.write(buffer, stereo, 22050, format=fmt, subtype=subtype)
        seeds[f"tone{suffix}"] = buffer.getvalue()
    return seeds


def real_clips() -> dict[str, bytes]:
    folder = Path(os.environ.get("MIRLOOP_FUZZ_AUDIO", "real-dev-set"))
    if not folder.is_dir():
        return {}
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES)[:8]
    clips = {}
    for path in files:
        with path.open("rb") as handle:
            clips[path.name] = handle.read(REAL_PREFIX)
    return clips


SEEDS = {**generated(), **real_clips()}


@given(name=st.sampled_from(sorted(SEEDS)), data=st.data())
def test_damaged_audio_files(
    name: str, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("audio") / name
    path.write_bytes(data.draw(byte_mutations(SEEDS[name])))
    with only_mirloop_errors():
        load_audio(path)
        load_audio(path, sr=None, mono=False)
