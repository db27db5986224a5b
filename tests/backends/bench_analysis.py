# ruff: noqa: E402
"""Speed and memory of the default librosa analysis (features + tempo + key + segmenter).

Run from the project root::

    .venv/bin/python tests/backends/bench_analysis.py speed            # 3-min track, × real time
    .venv/bin/python tests/backends/bench_analysis.py memory --minutes 60

Times are CPU seconds of this process (``time.process_time``), so a busy machine does not
inflate them; numerical libraries are pinned to one thread (set before numpy loads). ``speed``
compares the shared :class:`~mirloop.signal.TrackContext` with a naive recipe in
which every stage computes its own spectrograms with plain librosa calls. ``memory`` prints
the peak resident set size (``ru_maxrss``) after analysing a generated track.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np

from mirloop.backends.librosa.features import LibrosaFeatures
from mirloop.backends.librosa.key import LibrosaKey
from mirloop.backends.librosa.laplacian import LaplacianSegmenter
from mirloop.backends.librosa.tempo import LibrosaTempo
from mirloop.model import Audio
from mirloop.signal import TrackContext
from mirloop.testing.signals import spliced_sections


def analyse(audio: Audio) -> dict[str, float]:
    """Seconds per stage, in pipeline order, on one shared context."""
    timings: dict[str, float] = {}
    start = time.process_time()
    ctx = TrackContext(audio)
    for stage, run in (
        ("features", lambda: LibrosaFeatures().extract(ctx)),
        ("tempo", lambda: LibrosaTempo().estimate_tempo(ctx)),
        ("key", lambda: LibrosaKey().estimate_key(ctx)),
        ("segmenter", lambda: LaplacianSegmenter().segment(ctx)),
    ):
        t0 = time.process_time()
        run()
        timings[stage] = time.process_time() - t0
    timings["total"] = time.process_time() - start
    return timings


def naive(audio: Audio) -> float:
    """Seconds for the same four stages when each computes its own representations."""
    import librosa

    y, sr = audio.samples, audio.sr
    start = time.process_time()
    # features
    for feature in (
        librosa.feature.mfcc,
        librosa.feature.spectral_centroid,
        librosa.feature.spectral_bandwidth,
        librosa.feature.spectral_rolloff,
        librosa.feature.spectral_contrast,
        librosa.feature.chroma_cqt,
    ):
        feature(y=y, sr=sr)
    librosa.feature.spectral_flatness(y=y)
    librosa.feature.zero_crossing_rate(y)
    librosa.feature.rms(y=y)
    librosa.feature.tempo(y=y, sr=sr)
    # tempo
    librosa.beat.beat_track(y=y, sr=sr)
    # key
    librosa.feature.chroma_cqt(y=y, sr=sr)
    # segmenter
    librosa.amplitude_to_db(np.abs(librosa.cqt(y=y, sr=sr, bins_per_octave=36, n_bins=7 * 36)))
    librosa.beat.beat_track(y=y, sr=sr)
    librosa.feature.mfcc(y=y, sr=sr)
    return time.process_time() - start


def track(minutes: float) -> Audio:
    """Sections of 30 s in the order ABACBA…, generated one at a time into a float32 buffer."""
    sections = max(1, round(minutes * 60 / 30))
    layout = ("ABACBA" * (sections // 6 + 1))[:sections]
    seconds = minutes * 60 / sections
    parts = {
        kind: spliced_sections(kind, section_seconds=seconds, seed=i).audio.samples
        for i, kind in enumerate("ABC")
    }
    n = len(parts["A"])
    samples = np.empty(n * sections, dtype=np.float32)
    for i, kind in enumerate(layout):
        samples[i * n : (i + 1) * n] = parts[kind]
    return Audio(samples, 22050, source=f"generated_{minutes:g}min")


def real_track(folder: str, minutes: float) -> Audio:
    """Real clips from ``folder`` (``*.ogg``, mixed to mono at 22050 Hz) joined up to ``minutes``."""
    from pathlib import Path

    import soundfile
    import soxr

    pieces, total = [], 0
    for path in sorted(Path(folder).glob("*.ogg")):
        samples, sr = soundfile.read(path, dtype="float32", always_2d=True)
        mono = samples.mean(axis=1)
        if sr != 22050:
            mono = soxr.resample(mono, sr, 22050)
        pieces.append(mono.astype(np.float32))
        total += len(mono)
        if total >= minutes * 60 * 22050:
            break
    return Audio(np.concatenate(pieces)[: int(minutes * 60 * 22050)], 22050, source=folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=("speed", "memory"))
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--real", metavar="DIR", help="join real clips from DIR instead of generating audio")
    args = parser.parse_args()
    if args.mode == "speed":
        analyse(track(0.5))  # warm-up: imports and compiled librosa kernels, for both recipes
        naive(track(0.25))
        audio = real_track(args.real, args.minutes) if args.real else track(args.minutes)
        timings = analyse(audio)
        print("shared context: " + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))
        print(f"  {audio.duration / timings['total']:.0f}× real time for {audio.duration:.0f} s of audio")
        naive_seconds = naive(audio)
        print(f"naive recipe: {naive_seconds:.2f} s ({naive_seconds / timings['total']:.1f}× slower)")
    else:
        audio = track(args.minutes)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        timings = analyse(audio)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{audio.duration / 60:.0f} min: peak RSS {peak:.0f} MB (after generating audio: {before:.0f} MB)"
        )
        print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))


if __name__ == "__main__":
    main()
