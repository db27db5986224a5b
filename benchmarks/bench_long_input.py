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
    python benchmarks/bench_long_input.py --stages --minutes 60 180   # peak per stage, and the
                                                             # loop's figure and input preview
    python benchmarks/bench_long_input.py --loop --minutes 60 180     # mirloop loop on music

``--loop`` measures ``mirloop loop FILE -o OUT --no-separation --renders 1 --descriptors 1
--peer none`` instead, on music: a bundled 12-s genre example (``docs/genres/rock.ogg``, 44.1
kHz stereo) looped to each length as 16-bit FLAC. The loop analyses the track, renders it back
twice at its full length (one single-region and one multi-region render), re-classifies both
renders and writes their OGG players and the input's; near-silence would be flagged silent and
never rendered.

``--stages`` runs the analysis in a fresh process of its own instead of the command, sampling
its resident memory every 20 ms, and prints the peak reached in each stage (decoding, each
analysis stage, then what ``mirloop loop`` adds for the track: its figure and its ``input.ogg``
preview). Tracks past 6 h need ``MIRLOOP_MAX_TRACK_HOURS`` raised.

The files are removed afterwards (a 3-h file takes about 700 MB of disk while it exists, a 3-h
looped clip about 1 GB, and the loop's temporary files and OGG players about 3 GB more).
"""

from __future__ import annotations

import argparse
import json
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


#: The music ``--loop`` repeats to the lengths measured.
CLIP = Path(__file__).resolve().parent.parent / "docs" / "genres" / "rock.ogg"


def write_looped_clip(path: Path, *, minutes: float, clip: Path = CLIP) -> Path:
    """``clip`` repeated to ``minutes`` as a 16-bit FLAC at the clip's rate, one repeat at a time."""
    import soundfile as sf

    samples, sr = sf.read(str(clip), dtype="float32", always_2d=True)
    total = int(minutes * 60 * sr)
    with sf.SoundFile(str(path), "w", samplerate=sr, channels=samples.shape[1], format="FLAC",
                      subtype="PCM_16") as out:
        for start in range(0, total, len(samples)):
            out.write(samples[: min(len(samples), total - start)])
    return path


def peak_rss_mib(path: Path, out: Path, *, figure: bool = False, loop: bool = False) -> tuple[float, float]:
    """Peak RSS (MiB) and wall seconds of ``mirloop analyze path`` (with ``loop``: ``mirloop loop``,
    see the module docstring) in its own process."""
    if loop:
        command = [sys.executable, "-m", "mirloop.cli.main", "loop", str(path), "-o", str(out),
                   "--no-separation", "--renders", "1", "--descriptors", "1", "--peer", "none",
                   "--no-progress"]
    else:
        command = [sys.executable, "-m", "mirloop.cli.main", "analyze", str(path), "-o", str(out), "-q",
                   *([] if figure else ["--no-figure"])]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"mirloop {command[3]} {path.name} failed:\n{stderr}")
    scale = 1024 if sys.platform != "darwin" else 1  # ru_maxrss: KiB on Linux, bytes on macOS
    return usage.ru_maxrss * scale / 2**20, seconds


#: Stages of ``--stages``, in the order they run.
STAGES = ("load", "features", "tempo", "key", "segmenter", "classifier", "loop figure", "loop preview")


def stage_peaks(path: Path, out: Path) -> dict[str, float]:
    """Peak RSS (MiB) of each stage of analysing ``path`` and writing the loop's figure and
    preview of it, measured in a fresh process (this script with ``--child``)."""
    command = [sys.executable, __file__, "--child", str(path), str(out)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"the stage run on {path.name} failed:\n{done.stderr}")
    return {k: float(v) for k, v in json.loads(done.stdout.splitlines()[-1]).items()}


def _child(path: Path, out: Path) -> None:
    """Run the stages on ``path`` in this process, printing ``{stage: peak RSS MiB}`` as JSON."""
    import threading

    page = os.sysconf("SC_PAGE_SIZE")
    peaks: dict[str, float] = {}
    current = ["start"]
    running = True

    def sample() -> None:
        with open("/proc/self/statm") as statm:
            while running:
                statm.seek(0)
                rss = int(statm.read().split()[1]) * page / 2**20
                peaks[current[0]] = max(peaks.get(current[0], 0.0), rss)
                time.sleep(0.02)

    from mirloop.io.audio_out import write_ogg
    from mirloop.loop.figures import input_curves, track_figure
    from mirloop.pipelines.analyze import analyze_samples, resolve_analysis_config

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    from mirloop.io.audio import load_audio

    current[0] = "load"
    audio = load_audio(path)

    def on_stage(stage: str) -> None:
        current[0] = stage

    run = analyze_samples(audio, config=resolve_analysis_config(None), on_stage=on_stage)
    out.mkdir(parents=True, exist_ok=True)
    current[0] = "loop figure"
    track_figure(input_curves(run), None, out / "loop.png", title=path.name)
    current[0] = "loop preview"
    write_ogg(run.context.audio, out / "input.ogg")
    time.sleep(0.05)
    running = False
    sampler.join()
    print(json.dumps({stage: round(peaks[stage]) for stage in STAGES if stage in peaks}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--minutes", type=float, nargs="+", default=[10.0, 60.0, 180.0],
                        help="lengths to measure; the first is the reference (default 10 60 180)")
    parser.add_argument("--limit-mib", type=float, default=1536.0, help="target peak for any length")
    parser.add_argument("--check", action="store_true", help="exit 1 when a length peaks past the limit")
    parser.add_argument("--figure", action="store_true", help="also draw each track's PNG figure")
    parser.add_argument("--stages", action="store_true",
                        help="peak RSS per analysis stage, and of the loop's figure and preview")
    parser.add_argument("--loop", action="store_true",
                        help="measure mirloop loop on a bundled clip looped to each length")
    parser.add_argument("--child", nargs=2, metavar=("FILE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(Path(args.child[0]), Path(args.child[1]))
        return 0
    if args.stages:
        return _print_stages(args.minutes)

    rows: list[tuple[float, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="mirloop-long-") as work:
        for minutes in args.minutes:
            if args.loop:
                path = write_looped_clip(Path(work) / f"music-{minutes:g}min.flac", minutes=minutes)
            else:
                path = write_near_silence(Path(work) / f"silence-{minutes:g}min.flac", minutes=minutes)
            peak, seconds = peak_rss_mib(path, Path(work) / f"out-{minutes:g}", figure=args.figure,
                                         loop=args.loop)
            path.unlink()
            rows.append((minutes, peak, seconds))
            print(f"  {minutes:g} min: peak RSS {peak:.0f} MiB ({seconds:.0f} s)", file=sys.stderr,
                  flush=True)

    reference = rows[0][1]
    if args.loop:
        print(f"mirloop loop --no-separation --renders 1 --descriptors 1 on {CLIP.name} looped "
              "(44.1 kHz stereo FLAC)")
    else:
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


def _print_stages(lengths: list[float]) -> int:
    rows: list[tuple[float, dict[str, float]]] = []
    with tempfile.TemporaryDirectory(prefix="mirloop-long-") as work:
        for minutes in lengths:
            path = write_near_silence(Path(work) / f"silence-{minutes:g}min.flac", minutes=minutes)
            peaks = stage_peaks(path, Path(work) / f"out-{minutes:g}")
            path.unlink()
            rows.append((minutes, peaks))
            print(f"  {minutes:g} min: {peaks}", file=sys.stderr, flush=True)
    print("peak RSS MiB per stage: mirloop.pipelines.analyze on near-silent 44.1 kHz stereo FLAC, then "
          "the loop's figure and input.ogg")
    print(f"{'length':>10} " + " ".join(f"{stage:>12}" for stage in STAGES))
    for minutes, peaks in rows:
        cells = " ".join(f"{peaks[s]:>12.0f}" if s in peaks else f"{'-':>12}" for s in STAGES)
        print(f"{minutes:>6g} min {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
