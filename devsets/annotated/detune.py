"""A copy of an annotated folder with every file played a few cents sharp (or flat), for key finders.

    python devsets/annotated/detune.py SRC DST [--cents 40]

Each audio file of ``SRC`` (with a ``.jams`` sidecar) is resampled so that it plays ``cents``
higher at its own sample rate, written to ``DST`` as 16-bit FLAC, and its sidecar copied: the
key is unchanged (40 cents is less than half a semitone), the tempo and times are off by the
same factor (2.3 % for 40 cents), so score only the key on the copy. A recording tuned away from
A = 440 Hz (historical pitch, a tape at the wrong speed, an instrument tuned to itself) is what
this stands for. Files already in ``DST`` are kept.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

AUDIO_SUFFIXES = (".flac", ".wav", ".ogg")


def detune_folder(source: Path, target: Path, cents: float) -> int:
    """Write the detuned copies; return how many files were written."""
    import soundfile as sf
    import soxr

    target.mkdir(parents=True, exist_ok=True)
    written = 0
    for audio in sorted(p for p in source.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES):
        sidecar = audio.with_suffix(".jams")
        out = target / f"{audio.stem}.flac"
        if not sidecar.is_file() or out.is_file():
            continue
        samples, sr = sf.read(audio, dtype="float32", always_2d=True)
        # fewer samples at the same rate: every frequency rises by the factor
        shifted = soxr.resample(samples, sr, sr / 2.0 ** (cents / 1200.0), quality="HQ")
        partial = out.with_suffix(".partial.flac")
        sf.write(partial, shifted, sr, subtype="PCM_16", format="FLAC")
        partial.replace(out)
        shutil.copyfile(sidecar, target / sidecar.name)
        written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--cents", type=float, default=40.0, help="how far sharp (negative: flat)")
    args = parser.parse_args(argv)
    if not args.source.is_dir():
        parser.error(f"{args.source} is not a folder; give the annotated set's compositions/ folder")
    if not -50.0 < args.cents < 50.0:
        parser.error(f"--cents {args.cents} would move the key; give a value between -50 and 50")
    count = detune_folder(args.source, args.target, args.cents)
    print(f"{count} files written to {args.target} ({args.cents:+g} cents)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
