"""Mixes of a rendered accompaniment and a centre-panned vocal-like line, made once per session."""

from __future__ import annotations

import numpy as np
import pytest
from attrs import frozen

from mirloop.types import Audio
from tests.separation.vocals import espeak_speech, sung_line

SR = 22050
#: A repetitive style (loops, ostinati), as REPET expects of an accompaniment.
ACCOMPANIMENT = "electronica_house_uplifting"
DURATION = 24.0
SPEECH = (
    "Every morning the harbour wakes before the town. Boats knock softly against the pier, "
    "gulls argue over nothing, and the baker sings the same old song about the sea."
)


@frozen(eq=False)
class Mix:
    """``accompaniment`` (stereo), ``vocal`` (mono, centre) and their sum ``mix`` at 0 dB."""

    accompaniment: np.ndarray
    vocal: np.ndarray
    mix: Audio


def make_mix(accompaniment: np.ndarray, vocal: np.ndarray) -> Mix:
    vocal = vocal * np.sqrt(np.mean(accompaniment**2) / np.mean(vocal**2))  # equal power
    mix = accompaniment + vocal[None, :]
    scale = 0.9 / float(np.max(np.abs(mix)))
    return Mix(accompaniment * scale, vocal * scale, Audio(mix * scale, SR, "mix"))


@pytest.fixture(scope="session")
def accompaniment() -> np.ndarray:
    from mirloop.renderer import render_descriptor

    # the GM production the thresholds were measured on: the genre production's trance-gated,
    # pumping pads leave REPET 0.5 dB of SIR against held sung vowels (speech: still over 6 dB)
    result = render_descriptor(ACCOMPANIMENT, DURATION, seed=3, config={"sr": SR, "production": "gm"})
    return result.audio.samples.astype(np.float64)


@pytest.fixture(scope="session")
def sung_mix(accompaniment: np.ndarray) -> Mix:
    return make_mix(accompaniment, sung_line(DURATION, sr=SR, seed=1))


@pytest.fixture(scope="session")
def speech_mix(accompaniment: np.ndarray) -> Mix:
    speech = espeak_speech(SPEECH, sr=SR, duration=DURATION)
    if speech is None:
        pytest.skip(
            "espeak-ng is not installed (apt-get install espeak-ng); the sung-vowel test covers separation"
        )
    return make_mix(accompaniment, speech)
