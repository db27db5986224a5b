"""End to end: mirloop's musicnn tags on audio files against musicnn's own ``extractor``.

    ~/.cache/mirloop/musicnn-venv/bin/pip install librosa==0.10.2.post1    # musicnn's extractor needs it
    python plugins/mirloop-musicnn/benchmarks/compare_with_musicnn.py CLIP.ogg [CLIP.ogg …]

Runs ``musicnn.extractor.extractor`` (non-overlapping 3-s patches) in the export environment and
mirloop's log-mel + NumPy network here on the same files and patches, and prints the largest
differences of the tag probabilities and of the first patch's penultimate layer. (musicnn 0.1.0's
extractor repeats the first patch's penultimate layer for every later patch, so only that row is
comparable.)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from mirloop.io.audio import load_audio

from mirloop_musicnn.environment import venv_python
from mirloop_musicnn.melspec import FRAME_RATE, cut_patches, log_mel
from mirloop_musicnn.network import N_FRAMES
from mirloop_musicnn.weights import MODELS, load_model

_IN_TENSORFLOW = """
import os, sys, warnings
warnings.filterwarnings("ignore")
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
from musicnn.extractor import extractor
out = {}
for index, path in enumerate(sys.argv[3:]):
    taggram, _, features = extractor(path, model=sys.argv[2], input_length=3, input_overlap=False)
    # the VGG models' penultimate layer is their last pooled map (squeezed over its one band)
    last = features["pool5"].reshape(len(taggram), -1) if "vgg" in sys.argv[2] else features["penultimate"]
    out[f"tags{index}"], out[f"penultimate{index}"] = taggram, last
np.savez(sys.argv[1], **out)
"""


def main(paths: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for model in MODELS:
            result = Path(folder) / f"{model}.npz"
            subprocess.run([str(venv_python()), "-c", _IN_TENSORFLOW, str(result), model, *paths],
                           check=True, stdout=subprocess.DEVNULL)
            theirs = np.load(result)
            for index, path in enumerate(paths):
                audio = load_audio(path, sr=22050, mono=True)
                patches = cut_patches(log_mel(audio.samples, audio.sr), hop_seconds=N_FRAMES / FRAME_RATE)
                ours = load_model(model)(patches.values)
                tags = theirs[f"tags{index}"]
                tag_gap = np.abs(ours.tags[: len(tags)] - tags).max()
                embedding_gap = np.abs(ours.penultimate[0] - theirs[f"penultimate{index}"][0]).max()
                print(f"{Path(path).name} {model}: {len(tags)} patches, tags differ by at most "
                      f"{tag_gap:.1g}, first penultimate by {embedding_gap:.1g}")


if __name__ == "__main__":
    main(sys.argv[1:])
