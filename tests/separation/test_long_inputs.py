"""A long track's separation goes to temporary files, a chunk at a time, with the values
computed in RAM: the stems of a stereo hour are never whole in memory (checked at small scale
by lowering the threshold, as tests/io/test_long_inputs.py does for the analysis)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mirloop.plugins import registry
from mirloop.signal import sample_file
from mirloop.signal.sample_file import is_spilled
from mirloop.testing.signals import spliced_sections
from mirloop.types import Audio


def _stereo_music(seconds: float) -> np.ndarray:
    mono = spliced_sections("ABA", section_seconds=seconds / 3).audio.samples
    return np.stack([mono, 0.5 * np.roll(mono, 300) + 0.5 * mono]).astype(np.float32)


@pytest.mark.parametrize("channels", [1, 2])
def test_repet_stems_of_a_long_track_go_to_files_with_the_values_computed_in_ram(
    monkeypatch: pytest.MonkeyPatch, channels: int
) -> None:
    samples = _stereo_music(40.0)
    audio = Audio(samples if channels == 2 else samples[0], 22050)
    separator = registry().create("separator", "repet", {"block": 8.0})
    in_ram = separator.separate(audio)
    monkeypatch.setattr(sample_file, "IN_MEMORY_SAMPLES", 10_000)
    spilled = separator.separate(audio)

    for stem in ("accompaniment", "vocals"):
        assert not is_spilled(in_ram[stem].samples) and is_spilled(spilled[stem].samples)
        assert spilled[stem].samples.shape == audio.samples.shape
        np.testing.assert_array_equal(spilled[stem].samples, in_ram[stem].samples, err_msg=stem)
    assert np.any(in_ram["vocals"].samples)  # the chunks found something to take out


def test_a_separated_analysis_forced_through_temporary_files_equals_the_one_in_ram(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mirloop.pipelines.analyze import analyze_file, resolve_analysis_config

    path = tmp_path / "music.wav"
    sf.write(path, _stereo_music(60.0).T, 44100)  # stereo at 44.1 kHz: loaded at the separator's rate
    config = resolve_analysis_config(None).merged({"separator": {"backend": "repet"}}, "test")
    in_ram = analyze_file(path, config=config)
    monkeypatch.setattr(sample_file, "IN_MEMORY_SAMPLES", 10_000)
    spilled = analyze_file(path, config=config)

    assert is_spilled(spilled.context.samples) and not is_spilled(in_ram.context.samples)
    np.testing.assert_array_equal(spilled.context.samples, in_ram.context.samples)
    a, b = in_ram.analysis, spilled.analysis
    assert a.features is not None and b.features is not None and a.tempo is not None and b.tempo is not None
    np.testing.assert_array_equal(b.features.values, a.features.values)
    assert (b.tempo.bpm, repr(b.key), b.segmentation) == (a.tempo.bpm, repr(a.key), a.segmentation)
