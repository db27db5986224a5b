"""The backend against tempo-cnn's own input pipeline: the same BPM on real files?

tempo-cnn reads a file with ``librosa.load(sr=11025)``; the backend resamples mirloop's 22050-Hz
analysis signal. This runs tempo-cnn's ``feature.read_features`` (from an unpacked tempocnn wheel,
without TensorFlow: only its ``feature.py`` is imported) through the plugin's network and compares
the arg-max with the backend's answer::

    pip download tempocnn==0.0.8 --no-deps -d /tmp/tc && unzip -q -d /tmp/tc /tmp/tc/tempocnn-*.whl
    python benchmarks/compare_with_tempocnn.py /tmp/tc/tempocnn/feature.py FILE...
"""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
from mirloop.io.audio import load_audio
from mirloop.signal import TrackContext

from mirloop_tempocnn.features import normalise
from mirloop_tempocnn.models import load_model
from mirloop_tempocnn.tempo import FIRST_BPM, TempoCnnTempo


def main(feature_py: str, files: list[str]) -> None:
    spec = importlib.util.spec_from_file_location("tempocnn_feature", feature_py)
    assert spec is not None and spec.loader is not None
    feature = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(feature)
    network = load_model("fcn")
    same = 0
    for path in files:
        theirs = FIRST_BPM + int(
            np.argmax(network(normalise(feature.read_features(path), "fcn")).mean(axis=0))
        )
        ours = TempoCnnTempo().estimate_tempo(TrackContext(load_audio(path))).bpm
        same += theirs == ours
        print(f"{path}: tempo-cnn input {theirs:g}, backend {ours:g}")
    print(f"same BPM on {same} of {len(files)} files")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
