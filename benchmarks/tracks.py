"""Test audio for the benchmarks: real clips concatenated (or generated music), as a WAV file.

Importing this module pins the numerical libraries to one thread, so import it before numpy.
"""

from __future__ import annotations

import os

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS")
for _variable in THREAD_VARIABLES:  # before numpy is imported anywhere
    os.environ[_variable] = "1"

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_CLIPS = HERE.parent.parent / "shared" / "data" / "real-dev"
FILE_SR = 44100


def clip_files(folder: Path) -> list[Path]:
    """The ``.ogg`` clips in ``folder`` (none when it does not exist)."""
    return sorted(folder.glob("*.ogg")) if folder.is_dir() else []


def blocks(clips: list[Path], seconds: float) -> Iterator[tuple[np.ndarray, str]]:
    """Stereo float32 blocks ``(n, 2)`` at :data:`FILE_SR` adding up to ``seconds``.

    The clips in turn (repeated as needed), or generated music when there are none.
    """
    remaining = round(seconds * FILE_SR)
    index = 0
    while remaining > 0:
        block, name = _clip(clips[index % len(clips)]) if clips else _generated(index)
        block = block[:remaining]
        remaining -= len(block)
        index += 1
        yield block, name


def _clip(path: Path) -> tuple[np.ndarray, str]:
    import soundfile as sf
    import soxr

    samples, sr = sf.read(path, dtype="float32", always_2d=True)
    stereo = np.repeat(samples, 2, axis=1) if samples.shape[1] == 1 else samples[:, :2]
    return np.asarray(soxr.resample(stereo, sr, FILE_SR), dtype=np.float32), path.name


def _generated(index: int) -> tuple[np.ndarray, str]:
    from mirloop.testing.signals import spliced_sections

    layout = ("ABCA", "BACB", "CABA")[index % 3]
    mono = spliced_sections(layout, section_seconds=15.0, sr=FILE_SR, seed=index).audio.samples
    return np.stack([mono, 0.8 * mono], axis=1), f"generated-{layout}"


def write_wav(path: Path, parts: Iterator[tuple[np.ndarray, str]]) -> dict[str, Any]:
    """Write the blocks as 16-bit PCM; return what the file holds."""
    import soundfile as sf

    names: list[str] = []
    frames = 0
    with sf.SoundFile(path, "w", samplerate=FILE_SR, channels=2, subtype="PCM_16") as handle:
        for block, name in parts:
            handle.write(block)
            frames += len(block)
            if name not in names:
                names.append(name)
    real = not names[0].startswith("generated")
    return {"seconds": frames / FILE_SR, "sr": FILE_SR, "channels": 2, "real_clips": real,
            "sources": names if len(names) <= 8 else [*names[:8], f"… {len(names) - 8} more"]}
