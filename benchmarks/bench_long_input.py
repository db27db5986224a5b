"""Peak memory of ``mirloop analyze`` on long near-silent files, against a 10-minute reference.

Writes 44.1 kHz stereo 16-bit FLAC files of dither-level noise (±1 LSB, what a "silent" export
holds) of each length asked for, one 10-s block at a time, into a temporary folder; runs
``mirloop analyze FILE -o OUT --no-figure -q`` on each in a fresh process and prints that
process's peak resident set size (from ``wait4``), with the reference (the shortest length)
measured in the same run, so a loaded machine moves both::

    python benchmarks/bench_long_input.py                    # 10 min, 1 h, 3 h (~15 min)
    python benchmarks/bench_long_input.py --minutes 10 60    # quicker
    python benchmarks/bench_long_input.py --check            # exit 1 past --limit-mib
    python benchmarks/bench_long_input.py --figure           # with the PNG figure as well

The files are removed afterwards (a 3-h file takes about 700 MB of disk while it exists).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def write_near_silence(path: Path, *, minutes: float, sr: int = 44100, channels: int = 2) -> Path:
    """A FLAC of ``minutes`` of triangular dither at one 16-bit step, written block by block."""
    import soundfile as sf

    rng = np.random.default_rng(0)
    total = int(minutes * 60 * sr)
    block = 10 * sr
    step = 1.0 / 32768
    with sf.SoundFile(str(path), "w", samplerate=sr, channels=channels, format="FLAC",
                      subtype="PCM_16") as out:
        for start in range(0, total, block):
            n = min(block, total - start)
            dither = rng.integers(-1, 2, size=(n, channels)) * step
            out.write(dither.astype(np.float32))
    return path


def peak_rss_mib(path: Path, out: Path, *, figure: bool = False) -> tuple[float, float]:
    """Peak RSS (MiB) and wall seconds of ``mirloop analyze path`` in its own process."""
    command = [sys.executable, "-m", "mirloop.cli.main", "analyze", str(path), "-o", str(out), "-q",
               *([] if figure else ["--no-figure"])]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"mirloop analyze {path.name} failed:\n{stderr}")
    scale = 1024 if sys.platform != "darwin" else 1  # ru_maxrss: KiB on Linux, bytes on macOS
    return usage.ru_maxrss * scale / 2**20, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, nargs="+", default=[10.0, 60.0, 180.0],
                        help="lengths to measure; the first is the reference (default 10 60 180)")
    parser.add_argument("--limit-mib", type=float, default=1536.0, help="target peak for any length")
    parser.add_argument("--check", action="store_true", help="exit 1 when a length peaks past the limit")
    parser.add_argument("--figure", action="store_true", help="also draw each track's PNG figure")
    args = parser.parse_args()

    rows: list[tuple[float, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="mirloop-long-") as work:
        for minutes in args.minutes:
            path = write_near_silence(Path(work) / f"silence-{minutes:g}min.flac", minutes=minutes)
            peak, seconds = peak_rss_mib(path, Path(work) / f"out-{minutes:g}", figure=args.figure)
            path.unlink()
            rows.append((minutes, peak, seconds))
            print(f"  {minutes:g} min: peak RSS {peak:.0f} MiB ({seconds:.0f} s)", file=sys.stderr,
                  flush=True)

    reference = rows[0][1]
    print("mirloop analyze on near-silent 44.1 kHz stereo FLAC (dither at one 16-bit step)"
          + ("" if args.figure else ", --no-figure"))
    print(f"{'length':>10} {'peak RSS MiB':>13} {'× reference':>12} {'seconds':>8}  target")
    failed = False
    for minutes, peak, seconds in rows:
        ok = peak <= args.limit_mib
        failed |= not ok
        print(f"{minutes:>6g} min {peak:>13.0f} {peak / reference:>12.2f} {seconds:>8.0f}  "
              f"< {args.limit_mib:g} MiB {'ok' if ok else 'MISSED'}")
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
