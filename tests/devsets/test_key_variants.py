"""devsets/annotated/key_variants.py: the key-finding variants scored on an annotated folder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from devsets.annotated import key_variants

from mirloop.backends.librosa.profiles import PROFILES
from mirloop.testing.signals import cadence


def test_single_pitch_share_counts_sounding_frames_with_one_strong_pitch_class() -> None:
    melody, triad, silence = np.zeros((12, 3)), np.zeros((12, 2)), np.zeros((12, 5))
    melody[[0, 4, 7], [0, 1, 2]] = 1.0
    melody[2, :] = 0.2  # a quiet pitch class under every note does not count
    triad[[0, 4, 7], :] = 1.0
    assert key_variants.single_pitch_share(np.hstack([melody, silence])) == 1.0
    assert key_variants.single_pitch_share(np.hstack([melody, triad])) == pytest.approx(0.6)
    assert key_variants.single_pitch_share(silence) == 0.0


def test_key_index_follows_the_backends_key_order() -> None:
    assert key_variants.key_index("C:major") == 0
    assert key_variants.key_index("Eb:minor") == 15
    assert key_variants.key_index("B major") == 11


def test_a_profile_fitted_on_some_keys_finds_the_others() -> None:
    """Chromas drawn around the Krumhansl profiles in 12 keys train the regression; it then
    names the key of chromas in the 12 keys it never saw."""
    rng = np.random.default_rng(0)
    major, minor = (np.asarray(p) for p in PROFILES["krumhansl"])

    def chroma(key: int) -> np.ndarray:
        mode, tonic = divmod(key, 12)
        return np.roll(minor if mode else major, tonic) + rng.normal(0.0, 0.8, 12)

    seen = [k for k in range(24) if k % 2 == 0]
    unseen = [k for k in range(24) if k % 2 == 1]
    train = [(k, chroma(k)) for k in seen for _ in range(4)]
    weights = key_variants.fit_profile(
        np.stack([key_variants.rotations(c) for _, c in train]), np.array([k for k, _ in train]), np.zeros(24)
    )
    answers = [int(np.argmax(key_variants.rotations(chroma(k)) @ weights)) for k in unseen for _ in range(3)]
    assert np.mean(np.array(answers) == np.repeat(unseen, 3)) > 0.8


def test_the_script_scores_every_variant_on_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, (tonic, mode) in {"a": ("F#", "minor"), "b": ("Eb", "major")}.items():
        audio = cadence(tonic, mode)
        sf.write(tmp_path / f"{name}.wav", audio.samples, audio.sr)
        sidecar = {"annotations": [{"namespace": "key_mode", "data": [{"value": f"{tonic}:{mode}"}]}]}
        (tmp_path / f"{name}.jams").write_text(json.dumps(sidecar), encoding="utf-8")
    sf.write(tmp_path / "no_reference.wav", cadence("C", "major").samples, 22050)
    key_variants.main([str(tmp_path)])
    out = capsys.readouterr().out
    assert out.startswith("2 files")
    assert "| fixed 0.3 (default) | 1.000 | 2 | 0 | 0 | 0 | 0 |" in out
    assert "| confidence 0.5 | 1.000 |" in out and "| window vote |" in out
