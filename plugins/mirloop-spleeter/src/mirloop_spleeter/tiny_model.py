"""Train a tiny 2-stem spleeter model on generated stems, with spleeter's own training code.

For tests and offline smoke runs: the network is spleeter's U-Net on a narrow spectrogram
(``F`` = 256 bins, ``T`` = 64 frames) trained for a few steps, so it separates poorly but
goes through exactly the code paths — checkpoint, configuration, worker, separation — that
a pretrained model uses. The training songs are a synthesised "vocal" (a gliding harmonic
tone with vibrato and syllable envelopes) over an accompaniment of drums and chords.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
from mirloop.errors import PluginError

from mirloop_spleeter.checkpoint import check_model_dir
from mirloop_spleeter.environment import WORKER_DIR, require_ready

#: The model's sample rate, Hz.
SR = 44100


def vocal_line(seconds: float, *, seed: int = 0, sr: int = SR) -> np.ndarray:
    """A synthetic sung line: notes of a pentatonic scale, vibrato, 8 harmonics, syllables."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    t = np.arange(n) / sr
    note_seconds = 0.4
    scale = np.array([0, 2, 4, 7, 9, 12])
    notes = 57 + rng.choice(scale, size=int(np.ceil(seconds / note_seconds)))
    midi = np.repeat(notes, int(note_seconds * sr))[:n].astype(np.float64)
    frequency = 440.0 * 2 ** ((midi - 69) / 12) * (1 + 0.01 * np.sin(2 * np.pi * 5.5 * t))
    phase = 2 * np.pi * np.cumsum(frequency) / sr
    voice = sum(np.sin(k * phase) / k**1.2 for k in range(1, 9))
    syllables = np.clip(np.sin(np.pi * (t % note_seconds) / note_seconds), 0, 1) ** 0.5
    return (0.3 * voice * syllables).astype(np.float32)


def accompaniment(seconds: float, *, seed: int = 0, sr: int = SR) -> np.ndarray:
    """Drums and an I–IV–V–I cadence (from :mod:`mirloop.testing.signals`)."""
    from mirloop.testing.signals import chord_progression, drum_pattern

    n = int(seconds * sr)
    bpm = 90.0 + 10.0 * seed
    tonic = ("C", "F", "G", "D", "A", "E")[seed % 6]
    repeats = int(np.ceil(seconds / 8)) + 1
    chords = chord_progression(tonic, "major", chord_seconds=2.0, repeats=repeats, sr=sr, octave=3)
    drums = drum_pattern(bpm, seconds, sr=sr, seed=seed).samples
    mix = 0.5 * chords[:n] / np.abs(chords).max() + 0.4 * drums[:n]
    return mix.astype(np.float32)


def write_training_data(folder: str | os.PathLike[str], *, songs: int = 4, seconds: float = 8.0) -> Path:
    """Write ``songs`` mixes with their ``vocals`` and ``accompaniment`` stems (stereo WAV at
    44.1 kHz) and ``train.csv`` / ``validation.csv`` in spleeter's format; the folder."""
    import soundfile

    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    rows = []
    for index in range(songs):
        vocals, backing = vocal_line(seconds, seed=index), accompaniment(seconds, seed=index)
        paths = {}
        for stem, samples in (("vocals", vocals), ("accompaniment", backing), ("mix", vocals + backing)):
            path = root / f"song{index}_{stem}.wav"
            soundfile.write(path, np.stack([samples, 0.9 * samples], axis=1), SR, subtype="FLOAT")
            paths[stem] = path.name
        rows.append(f"{paths['mix']},{paths['vocals']},{paths['accompaniment']},{seconds}")
    header = "mix_path,vocals_path,accompaniment_path,duration"
    (root / "train.csv").write_text("\n".join([header, *rows[:-1]]) + "\n")
    (root / "validation.csv").write_text("\n".join([header, rows[-1]]) + "\n")
    return root


def tiny_params(model_dir: Path, data_dir: Path, *, steps: int) -> dict[str, object]:
    """A spleeter 2-stem configuration small enough to train on a CPU in seconds."""
    return {
        "train_csv": str(data_dir / "train.csv"), "validation_csv": str(data_dir / "validation.csv"),
        "model_dir": str(model_dir), "mix_name": "mix", "instrument_list": ["vocals", "accompaniment"],
        "sample_rate": SR, "frame_length": 4096, "frame_step": 1024, "T": 64, "F": 256, "n_channels": 2,
        "separation_exponent": 2, "mask_extension": "zeros", "learning_rate": 1e-3, "batch_size": 2,
        "n_chunks_per_song": 2, "chunk_duration": 4.0,
        "training_cache": str(data_dir / "training_cache"),
        "validation_cache": str(data_dir / "validation_cache"),
        "train_max_steps": steps, "throttle_secs": 1, "random_seed": 0, "save_checkpoints_steps": steps,
        "save_summary_steps": steps, "model": {"type": "unet.unet", "params": {}},
    }


def train_tiny_model(
    model_dir: str | os.PathLike[str], *, venv: str | None = None, steps: int = 10, songs: int = 4
) -> Path:
    """Generate data, run ``spleeter train`` in the spleeter environment, check the checkpoint.

    Writes the model folder (checkpoint files plus ``params.json``, which the ``spleeter``
    separator picks up) and returns it.
    """
    target = Path(model_dir).expanduser().resolve()
    target.mkdir(parents=True, exist_ok=True)
    data_dir = write_training_data(target / "training-data", songs=songs)
    params = tiny_params(target, data_dir, steps=steps)
    params_path = target / "params.json"
    params_path.write_text(json.dumps(params, indent=2))
    python = require_ready(venv)
    command = [str(python), "-m", "spleeter", "train", "-p", str(params_path), "-d", str(data_dir),
               "-a", "soundfile_adapter.SoundfileAdapter"]
    env = {**os.environ, "PYTHONPATH": str(WORKER_DIR), "TF_CPP_MIN_LOG_LEVEL": "2"}
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise PluginError(f"spleeter train failed (status {result.returncode}):\n{result.stderr[-3000:]}")
    check_model_dir(target, "tiny")
    return target
