"""The domain-randomisation chain: the cost of each stage and the bitrates of its codecs.

Run: ``.venv/bin/python benchmarks/bench_chain.py [--seconds 30] [--seed 3]``

1. Cost (CPU time, so other jobs on the machine matter little): each stage of
   :class:`mirloop.renderer.randomize.MasterChain`, the peak level and the two codec round trips
   on a ``--seconds`` render of ``rock_indie_driving`` at 44.1 kHz, best of three (the chorus
   runs on the harmony/pad bus in 16384-sample blocks, as in a render).
2. Bitrates (kbit/s) of the drawn MP3 VBR qualities and Vorbis levels on the same render: the
   Vorbis level standing in for each MP3 quality where MP3 cannot be written is the nearest one.
"""

from __future__ import annotations

import argparse
import io
import os
import time
from collections.abc import Callable

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np


def best_of(function: Callable[[], object], repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    import soundfile as sf

    from mirloop.renderer import render_descriptor
    from mirloop.renderer.effects.codec import VORBIS_FOR_MP3, round_trip
    from mirloop.renderer.effects.saturation import saturate
    from mirloop.renderer.effects.stereo import set_peak, widen
    from mirloop.renderer.randomize import (
        MP3_QUALITIES,
        VORBIS_LEVELS,
        MasterChain,
        chorus_insert,
        draw_chain,
    )

    sr = 44100
    audio = render_descriptor(
        "rock_indie_driving", args.seconds, seed=args.seed, config={"sr": sr}
    ).audio.samples
    signal = audio.astype(np.float64)
    params = draw_chain(args.seed, "full")
    assert params is not None
    chain = MasterChain(params, sr, seed=args.seed)
    chain.compressor.process(signal[:, :64])  # compile (or load) the ballistics loop first

    def chorus() -> None:
        insert = chorus_insert(params, sr)
        for start in range(0, audio.shape[1], 16384):
            insert.process(audio[:, start : start + 16384], start)

    stages: list[tuple[str, Callable[[], object]]] = [
        ("eq", lambda: chain.eq.process(signal)),
        ("compressor", lambda: chain.compressor.process(signal)),
        ("saturation", lambda: saturate(signal, drive_db=params.drive_db)),
        ("chorus (one bus)", chorus),
        ("room", lambda: chain.room.process(signal)),
        ("width", lambda: widen(signal, width=params.width)),
        ("peak level", lambda: set_peak(signal, peak_dbfs=params.peak_dbfs)),
        ("mp3 round trip (V5)", lambda: round_trip(audio, sr, codec="mp3", quality=5.0)),
        ("ogg round trip (level 0.6)", lambda: round_trip(audio, sr, codec="ogg", quality=0.6)),
    ]
    print(f"chain CPU time on a {args.seconds:g}-s render at {sr} Hz (best of 3):")
    for name, function in stages:
        print(f"  {name:28s} {best_of(function):6.3f} s")

    def kbps(**options: object) -> float:
        buffer = io.BytesIO()
        sf.write(buffer, audio.T, sr, **options)  # type: ignore[arg-type]
        return buffer.tell() * 8 / (audio.shape[1] / sr) / 1000

    print("bitrates (kbit/s):")
    for quality in MP3_QUALITIES:
        rate = kbps(
            format="MP3", subtype="MPEG_LAYER_III", compression_level=quality / 10, bitrate_mode="VARIABLE"
        )
        print(f"  mp3 V{quality}: {rate:4.0f}   (without MP3: ogg level {VORBIS_FOR_MP3[float(quality)]:g})")
    for level in VORBIS_LEVELS:
        print(f"  ogg level {level:g}: {kbps(format='OGG', subtype='VORBIS', compression_level=level):4.0f}")


if __name__ == "__main__":
    main()
