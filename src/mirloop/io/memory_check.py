"""Peak memory of loading a long file: a check for benchmarks, not a unit test.

``python -m mirloop.io.memory_check --minutes 60`` writes a 60-minute 44.1 kHz stereo WAV
(block by block, about 635 MB on disk), loads it with :func:`mirloop.io.audio.load_audio` in a
fresh Python process and prints that process's peak resident set size. Benchmarks call
:func:`measure_load_memory` directly.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from attrs import asdict, frozen

from mirloop.errors import AudioError
from mirloop.signal import ANALYSIS_SR

_MEASURE = """
import json, resource, sys, time
from mirloop.io.audio import load_audio
import soundfile, soxr  # imported before the baseline so it counts only the load

scale = 1024 if sys.platform != "darwin" else 1  # ru_maxrss: KiB on Linux, bytes on macOS
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
started = time.perf_counter()
audio = load_audio(sys.argv[1], sr=int(sys.argv[2]))
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
print(json.dumps({"baseline": baseline, "peak": peak, "seconds": seconds,
                  "duration": audio.duration, "samples_bytes": audio.samples.nbytes}))
"""


@frozen
class LoadMemory:
    """Memory and time of one load. Sizes in MiB, times in seconds."""

    path: str
    file_mib: float
    duration_s: float
    load_s: float
    baseline_rss_mib: float
    peak_rss_mib: float
    output_mib: float

    @property
    def load_overhead_mib(self) -> float:
        """Peak growth beyond the imports and the output array."""
        return self.peak_rss_mib - self.baseline_rss_mib - self.output_mib


def write_long_wav(
    path: str | os.PathLike[str], *, minutes: float = 60.0, sr: int = 44100, channels: int = 2
) -> Path:
    """Write a 16-bit WAV of ``minutes`` of noise and a tone, one 10-s block at a time."""
    import soundfile as sf

    rng = np.random.default_rng(0)
    total = int(minutes * 60 * sr)
    block = 10 * sr
    with sf.SoundFile(str(path), "w", samplerate=sr, channels=channels, subtype="PCM_16") as out:
        for start in range(0, total, block):
            n = min(block, total - start)
            t = (start + np.arange(n)) / sr
            mono = 0.3 * np.sin(2 * np.pi * 220.0 * t) + 0.05 * rng.standard_normal(n)
            out.write(np.repeat(mono[:, None], channels, axis=1).astype(np.float32))
    return Path(path)


def measure_load_memory(path: str | os.PathLike[str], *, sr: int = ANALYSIS_SR) -> LoadMemory:
    """Load ``path`` in a fresh interpreter and report its peak resident memory."""
    completed = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), str(sr)], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise AudioError(f"loading {path} failed:\n{completed.stderr}")
    data = json.loads(completed.stdout.strip().splitlines()[-1])
    mib = 1024.0 * 1024.0
    return LoadMemory(
        path=str(path),
        file_mib=Path(path).stat().st_size / mib,
        duration_s=data["duration"],
        load_s=data["seconds"],
        baseline_rss_mib=data["baseline"] / mib,
        peak_rss_mib=data["peak"] / mib,
        output_mib=data["samples_bytes"] / mib,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, default=60.0, help="length of the test file (default 60)")
    parser.add_argument("--file", type=Path, help="measure this file instead of writing a test file")
    parser.add_argument("--limit-mib", type=float, default=1536.0, help="fail above this peak (default 1536)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        path = args.file or write_long_wav(Path(scratch) / "long.wav", minutes=args.minutes)
        result = measure_load_memory(path)
    report = {**asdict(result), "load_overhead_mib": result.load_overhead_mib}
    print(json.dumps(report, indent=2))
    return 0 if result.peak_rss_mib <= args.limit_mib else 1


if __name__ == "__main__":
    sys.exit(main())
