"""Seconds of computation per minute of audio for the musicnn features, on one core.

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 python plugins/mirloop-musicnn/benchmarks/bench_speed.py \
        [--models MTT_musicnn,MSD_musicnn,MTT_vgg,MSD_vgg] [--hops 3]

Runs the feature extractor (the tags of ``--models``, default the backend's, and the embedding;
the mel input once; no librosa features) on a generated 4-minute track, for each patch hop,
three times, and prints the best CPU time (``process_time``:
with single-threaded BLAS, the time on one core even when other work shares the machine) per
minute of audio, and the part of it spent on the log-mel input.
"""

from __future__ import annotations

import argparse
import time

from mirloop.signal import TrackContext
from mirloop.testing.signals import drum_pattern

from mirloop_musicnn import MusicnnFeatures
from mirloop_musicnn.melspec import log_mel

MINUTES = 4.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="", help="comma-separated models (default: the backend's)")
    parser.add_argument("--hops", default="3,2,1", help="comma-separated patch hops in seconds")
    args = parser.parse_args()
    chosen = {"models": args.models} if args.models else {}
    audio = drum_pattern(120.0, MINUTES * 60, seed=0)
    started = time.process_time()
    log_mel(audio.samples, audio.sr)
    print(f"log-mel input: {(time.process_time() - started) / MINUTES:.2f} s per minute of audio")
    for hop in (float(h) for h in args.hops.split(",")):
        best = float("inf")
        for _ in range(3):
            ctx = TrackContext(audio)  # a fresh context: nothing cached
            started = time.process_time()
            MusicnnFeatures(patch_hop=hop, librosa=False, **chosen).extract(ctx)
            best = min(best, time.process_time() - started)
        print(f"patch_hop {hop:g} s: {best / MINUTES:.2f} s per minute of audio "
              f"({best:.1f} s for {MINUTES:g} min)")


if __name__ == "__main__":
    main()
