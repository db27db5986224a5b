"""LibrosaKey: key and mode of synthesized cadences, per window and for the track."""

from __future__ import annotations

import numpy as np
import pytest

from mirloop.backends.librosa.key import LibrosaKey
from mirloop.backends.librosa.profiles import PROFILES
from mirloop.errors import OptionError
from mirloop.model import Audio, Key
from mirloop.model.estimates import PITCH_CLASSES
from mirloop.signal import TrackContext
from mirloop.testing.signals import SplicedTrack, cadence, chord_progression, drum_pattern, noise, silence

ALL_KEYS = [Key(tonic, mode) for mode in ("major", "minor") for tonic in PITCH_CLASSES]


@pytest.mark.parametrize("key", ALL_KEYS, ids=str)
def test_key_and_mode_of_a_cadence(key: Key) -> None:
    estimate = LibrosaKey().estimate_key(TrackContext(cadence(key.tonic, key.mode)))
    assert estimate.key == key
    assert estimate.window_keys == (key,)
    assert estimate.confidence > 0.5


def cadence_over_drums(key: Key, *, octave: int = 3, brightness: float = 0.6) -> TrackContext:
    """A bright, short cadence mixed with a 110-BPM drum groove: harder than a clean cadence."""
    chords = chord_progression(
        key.tonic, key.mode, chord_seconds=0.8, repeats=1, octave=octave, brightness=brightness
    )
    drums = drum_pattern(110.0, len(chords) / 22050).samples[: len(chords)]
    mix = 0.6 * chords / np.abs(chords).max() + 0.6 * drums
    return TrackContext(Audio(mix.astype(np.float32), 22050))


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("key", [Key("Eb", "major"), Key("B", "minor"), Key("F#", "minor")], ids=str)
def test_every_profile_finds_the_key_of_a_cadence_over_drums(profile: str, key: Key) -> None:
    assert LibrosaKey(profile=profile).estimate_key(cadence_over_drums(key)).key == key


def normalised(samples: np.ndarray) -> TrackContext:
    return TrackContext(Audio((0.8 * samples / np.abs(samples).max()).astype(np.float32), 22050))


@pytest.mark.parametrize("progression", ["aeolian", "dorian"])
@pytest.mark.parametrize("tonic", PITCH_CLASSES)
def test_default_profile_finds_modal_minor_keys(progression: str, tonic: str) -> None:
    """Minor progressions with the flat seventh (no leading tone) are minor, not the relative major."""
    samples = chord_progression(tonic, "minor", progression=progression, chord_seconds=1.0, repeats=2)
    assert LibrosaKey().estimate_key(normalised(samples)).key == Key(tonic, "minor")


def test_only_the_default_profile_gets_every_modal_and_cadence_key() -> None:
    """Why ``edma`` is the default: it is the profile right on cadences *and* modal progressions."""
    correct: dict[str, int] = {}
    for profile in PROFILES:
        hits = 0
        for tonic in PITCH_CLASSES[::2]:
            for progression in ("cadence", "aeolian", "dorian"):
                samples = chord_progression(tonic, "minor", progression=progression, repeats=1)
                found = LibrosaKey(profile=profile).estimate_key(normalised(samples)).key
                hits += found == Key(tonic, "minor")
        correct[profile] = hits
    default = LibrosaKey().opts["profile"]
    assert correct[default] == 3 * len(PITCH_CLASSES[::2]), correct
    assert correct[default] == max(correct.values()), correct


def test_windows_follow_a_key_change(aba: SplicedTrack, aba_context: TrackContext) -> None:
    estimate = LibrosaKey().estimate_key(aba_context)
    centres = aba_context.grid.centers
    in_b = (centres > 25.0) & (centres < 35.0)
    assert {estimate.window_keys[i] for i in np.flatnonzero(in_b)} == {Key("F#", "minor")}
    assert estimate.window_keys[0] == Key("C", "major")
    assert len(estimate.window_keys) == len(estimate.window_confidence) == aba_context.grid.n_windows
    assert np.all((estimate.window_confidence >= 0) & (estimate.window_confidence <= 1))


def test_noise_and_silence_have_low_confidence() -> None:
    for audio in (noise(12.0), silence(12.0)):
        estimate = LibrosaKey().estimate_key(TrackContext(audio))
        assert 0.0 <= estimate.confidence < 0.2
        assert np.all(np.isfinite(estimate.window_confidence))


def test_unknown_profile_is_rejected_with_the_choices() -> None:
    with pytest.raises(OptionError, match="krumhansl"):
        LibrosaKey(profile="shaath")
