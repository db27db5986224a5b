"""The built-in separators are registered plugins with the stage protocol: stems at the input's
rate, length and channel count that add back up to the input."""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.plugins import registry
from mirloop.testing.signals import noise, silence
from mirloop.types import Audio


def test_repet_and_none_are_registered_separators() -> None:
    names = registry().names("separator")
    assert "repet" in names and "none" in names
    assert registry().get("separator", "repet").plugin == "builtin"


@pytest.mark.parametrize("channels", [1, 2])
def test_repet_stems_keep_rate_length_channels_and_sum_to_the_input(channels: int) -> None:
    mono = noise(6.0, sr=16000, seed=channels).samples
    samples = mono if channels == 1 else np.stack([mono, np.roll(mono, 100)])
    audio = Audio(samples, 16000)
    stems = registry().create("separator", "repet").separate(audio)
    assert set(stems) == {"accompaniment", "vocals"}
    for stem in stems.values():
        assert stem.sr == 16000 and stem.samples.shape == samples.shape
    np.testing.assert_allclose(stems["accompaniment"].samples + stems["vocals"].samples, samples, atol=1e-5)


def test_none_passes_the_mix_through_with_silent_vocals() -> None:
    audio = noise(2.0, seed=0)
    stems = registry().create("separator", "none").separate(audio)
    assert stems["accompaniment"] is audio
    assert not np.any(stems["vocals"].samples) and stems["vocals"].samples.shape == audio.samples.shape


def test_silence_and_very_short_input_give_silent_vocals() -> None:
    separator = registry().create("separator", "repet")
    for audio in (silence(3.0), Audio(np.ones(100, dtype=np.float32) * 0.1, 22050)):
        stems = separator.separate(audio)
        assert not np.any(stems["vocals"].samples)
        np.testing.assert_array_equal(stems["accompaniment"].samples, audio.samples)


def test_side_only_content_is_never_taken_for_vocals() -> None:
    """Mid/side: a source panned hard left and its negative on the right has no centre energy."""
    line = noise(8.0, seed=4).samples
    audio = Audio(np.stack([line, -line]), 22050)
    stems = registry().create("separator", "repet").separate(audio)
    assert float(np.max(np.abs(stems["vocals"].samples))) < 1e-6


def test_options_are_checked() -> None:
    from mirloop.errors import OptionError

    with pytest.raises(OptionError, match="block"):
        registry().create("separator", "repet", {"block": 4.0, "min_gap": 2.0}).separate(noise(2.0))


def test_long_input_is_separated_in_blocks_without_seams() -> None:
    """Blocks are processed separately; stems still cover every sample and add up to the input."""
    from mirloop.separation import RepetSettings, separate_repet

    audio = noise(25.0, seed=9)
    stems = separate_repet(audio, RepetSettings(block=6.0))
    assert stems["vocals"].n_samples == audio.n_samples
    np.testing.assert_allclose(
        stems["accompaniment"].samples + stems["vocals"].samples, audio.samples, atol=1e-5
    )
    energy = [float(np.mean(block**2)) for block in np.array_split(stems["vocals"].samples, 25)]
    assert min(energy) > 0.05 * max(energy)  # no silent seam where two blocks meet
