"""Export musicnn checkpoints to NumPy: run inside the export environment (TensorFlow + musicnn).

    python export_worker.py --input reference.npz --output DIR MTT_musicnn MSD_musicnn

For each model: rebuild the graph with musicnn's own ``models.define_model`` (as
``musicnn.extractor`` does), restore the checkpoint shipped in the musicnn package, and write
``DIR/<model>.npz`` (every global variable, by its name without ``:0``),
``DIR/<model>.outputs.npz`` (sigmoid tag probabilities and the penultimate layer on the
reference patches, ``is_training = False``; the VGG models' penultimate layer, the last pooled
map, flattened per patch) and ``DIR/<model>.info.json`` (versions, tags).
Imports only the standard library, NumPy, TensorFlow and musicnn.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from importlib.metadata import version
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import warnings

import numpy as np
import tensorflow as tf

tf.compat.v1.disable_eager_execution()
tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.ERROR)
warnings.filterwarnings("ignore", category=UserWarning)  # tf.compat.v1.layers deprecation notices

from musicnn import configuration, models  # noqa: E402


def export(model: str, patches: np.ndarray, output: Path) -> None:
    labels = configuration.MTT_LABELS if model.startswith("MTT") else configuration.MSD_LABELS
    graph = tf.Graph()
    with graph.as_default():
        with tf.name_scope("model"):
            x = tf.compat.v1.placeholder(tf.float32, [None, patches.shape[1], configuration.N_MELS])
            is_training = tf.compat.v1.placeholder(tf.bool)
            outputs = models.define_model(x, is_training, model, len(labels))
            probabilities = tf.nn.sigmoid(outputs[0])
            penultimate = outputs[-1]
        checkpoint = str(Path(models.__file__).parent / model) + "/"
        with tf.compat.v1.Session(graph=graph) as session:
            tf.compat.v1.train.Saver().restore(session, checkpoint)
            variables = tf.compat.v1.global_variables()
            values = session.run(variables)
            tags, embedding = session.run(
                [probabilities, penultimate], feed_dict={x: patches, is_training: False}
            )
    names = [v.name.split(":")[0] for v in variables]
    arrays = {name: np.asarray(value, dtype=np.float32) for name, value in zip(names, values, strict=True)}
    with open(output / f"{model}.npz", "wb") as handle:
        np.savez(handle, **arrays)  # type: ignore[arg-type]
    with open(output / f"{model}.outputs.npz", "wb") as handle:
        flat = np.asarray(embedding, np.float32).reshape(len(patches), -1)
        np.savez(handle, tags=np.asarray(tags, np.float32), penultimate=flat)
    info = {
        "model": model,
        "tags": list(labels),
        "musicnn_version": version("musicnn"),
        "tensorflow_version": tf.__version__,
        "checkpoint": f"musicnn/{model}/",
    }
    (output / f"{model}.info.json").write_text(json.dumps(info, indent=1), encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--input", required=True, type=Path)
    parser.add_argument("--output", required=True, type=Path)
    parser.add_argument("models", nargs="+")
    args = parser.parse_args(argv)
    with np.load(args.input) as data:
        patches = np.asarray(data["patches"], dtype=np.float32)
    for model in args.models:
        export(model, patches, args.output)
        print(f"exported {model}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
