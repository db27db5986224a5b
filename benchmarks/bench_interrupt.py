"""How fast Ctrl-C stops ``mirloop analyze --workers 2``, and what it leaves behind.

Writes ``--tracks`` generated drum patterns, starts ``mirloop analyze`` on them with the default
backends in its own process group, waits for the first finished track folder, sends SIGINT to
the group (as a terminal does) and reports the seconds until the command exited, its status,
and how many track folders and temporary files are left::

    python benchmarks/bench_interrupt.py [--tracks 20] [--seconds 30] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each track")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from mirloop.io.audio_out import write_audio_file
    from mirloop.testing.signals import drum_pattern

    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        (root / "in").mkdir()
        for index in range(args.tracks):
            audio = drum_pattern(90 + 3 * index, args.seconds, seed=index)
            write_audio_file(root / "in" / f"track{index:02d}.wav", audio.samples, audio.sr)
        out = root / "out"
        command = [sys.executable, "-m", "mirloop.cli.main", "analyze", str(root / "in"), "-o", str(out),
                   "--workers", str(args.workers), "--no-figure", "-q"]
        run = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
        started = time.monotonic()
        while not [p for p in out.glob("*") if p.is_dir() and not p.name.startswith(".")]:
            if run.poll() is not None:
                sys.exit(f"the run ended before any track finished:\n{run.communicate()[1]}")
            time.sleep(0.02)
        first = time.monotonic() - started
        os.killpg(run.pid, signal.SIGINT)
        stopped = time.monotonic()
        _, stderr = run.communicate()
        seconds = time.monotonic() - stopped
        folders = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
        hidden = [p for p in out.rglob(".*")]
        print(f"{args.tracks} tracks of {args.seconds:g} s, --workers {args.workers}: first track after "
              f"{first:.1f} s; SIGINT -> exit status {run.returncode} in {seconds:.2f} s; "
              f"{len(folders)} track folder(s), {len(hidden)} temporary file(s) left")
        print(f"stderr: {stderr.strip().splitlines()[-1] if stderr.strip() else ''}")


if __name__ == "__main__":
    main()
