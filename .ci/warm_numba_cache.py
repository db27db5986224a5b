"""Compile the cached numba functions once, in one process, right after installing (make install).

librosa compiles some functions with ``numba.guvectorize(cache=True)``, and mirloop's reverb its
feedback loop and the randomised chain's compressor its ballistics with ``numba.njit(cache=True)``;
each writes two cache
files that are not replaced together. When two processes compile the same function at once
(``pytest -n 2``, ``mirloop analyze --workers``), a cache can end up with halves from
different processes, and every later process that loads it crashes with a segmentation
fault (a known race in numba's cache writing). Compiling every such function here, for the
float32 and float64 inputs mirloop passes, leaves nothing for parallel processes to write.
"""

from __future__ import annotations

import numpy as np


def main() -> None:
    import librosa
    from librosa.core.pitch import _parabolic_interpolation

    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        envelope = np.abs(rng.standard_normal(2000)).astype(dtype)
        for trim in (True, False):
            librosa.beat.beat_track(onset_envelope=envelope, sr=22050, trim=trim)
        matrix = rng.standard_normal((8, 50)).astype(dtype)
        librosa.util.localmax(matrix, axis=0)
        librosa.util.localmin(matrix, axis=0)
        librosa.zero_crossings(rng.standard_normal(1000).astype(dtype))
        librosa.util.peak_pick(envelope, pre_max=3, post_max=3, pre_avg=3, post_avg=5, delta=0.5, wait=10)
        _parabolic_interpolation(np.abs(matrix))
    warm_mirloop_analysis()
    warm_mirloop_reverb()
    warm_mirloop_compressor()
    print("numba caches of librosa and the renderer compiled")


def warm_mirloop_analysis() -> None:
    """One analysis with the default backends: compiles the remaining cached functions it reaches."""
    import warnings

    import mirloop
    from mirloop.testing.signals import spliced_sections

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mirloop.analyze_audio(spliced_sections("AB", section_seconds=8.0).audio)


def warm_mirloop_reverb() -> None:
    """The renderer's reverb kernel (one signature for every sample rate)."""
    from mirloop.renderer.reverb import FdnReverb

    FdnReverb(44100).process(np.zeros((2, 256), dtype=np.float32))


def warm_mirloop_compressor() -> None:
    """The domain-randomisation compressor's ballistics (float64 only)."""
    from mirloop.renderer.effects.compressor import Compressor

    Compressor(44100, threshold_db=-20.0, ratio=4.0, attack_ms=5.0, release_ms=100.0).process(
        np.zeros((2, 256))
    )


if __name__ == "__main__":
    main()
