"""How the key path changes the window keys of real recordings, which have no key annotation:
key changes per track, windows agreeing with the track key, and whether the track key and the most
frequent window key stay the same, for ``change_penalty=0`` (each window its own best key) against
the default.

    python benchmarks/window_keys_real.py ../shared/data/real-dev
"""

from __future__ import annotations

import argparse
import collections
import itertools
from pathlib import Path

import numpy as np

from mirloop.backends.librosa.key import LibrosaKey
from mirloop.io.audio import load_audio
from mirloop.signal import TrackContext
from mirloop.types import KeyEstimate


def changes(estimate: KeyEstimate) -> int:
    keys = estimate.window_keys
    return sum(a != b for a, b in itertools.pairwise(keys))


def most_frequent(estimate: KeyEstimate) -> object:
    return collections.Counter(estimate.window_keys).most_common(1)[0][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    files = sorted(p for p in args.folder.iterdir() if p.suffix.lower() in (".ogg", ".flac", ".wav", ".mp3"))
    windows, before, after, agree_before, agree_after, same_key, same_top = 0, [], [], 0, 0, 0, 0
    for path in files:
        ctx = TrackContext(load_audio(str(path)))
        plain, path_keys = LibrosaKey(change_penalty=0.0).estimate_key(ctx), LibrosaKey().estimate_key(ctx)
        windows += len(plain.window_keys)
        before.append(changes(plain))
        after.append(changes(path_keys))
        agree_before += sum(k == plain.key for k in plain.window_keys)
        agree_after += sum(k == path_keys.key for k in path_keys.window_keys)
        same_key += plain.key == path_keys.key
        same_top += most_frequent(plain) == most_frequent(path_keys)
    print(
        f"{len(files)} tracks, {windows} windows; key changes per track {np.mean(before):.1f} -> "
        f"{np.mean(after):.1f}; windows agreeing with the track key {agree_before / windows:.3f} -> "
        f"{agree_after / windows:.3f}; track key unchanged {same_key}/{len(files)}; most frequent "
        f"window key unchanged {same_top}/{len(files)}"
    )


if __name__ == "__main__":
    main()
