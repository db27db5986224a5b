"""The long-lived spleeter worker: loads one model, then separates every waveform it is sent.

Run inside the spleeter environment as ``python spleeter_worker.py PARAMS MODEL_DIR``:
``PARAMS`` is a spleeter configuration (a JSON file or ``spleeter:2stems``…) and
``MODEL_DIR`` the absolute, already checked model folder that replaces its ``model_dir``.
It answers on the original stdout with :mod:`wire` messages; everything
else that writes to stdout (TensorFlow, spleeter) is redirected to stderr.

Requests: ``{"op": "separate", "shape": [n, 2]}`` + samples at the model's rate → a reply
``{"ok": true, "stems": [names], "shapes": [[n, 2], …]}`` + the stems; ``{"op": "quit"}``.
Any failure replies ``{"ok": false, "error": "…"}`` and the worker goes on.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

import wire


def main(params: str, model_dir: str) -> int:
    protocol_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints from TensorFlow or spleeter go to stderr
    protocol_in = sys.stdin.buffer
    try:
        import json
        import tempfile

        import numpy as np
        import tensorflow as tf
        from spleeter.separator import Separator
        from spleeter.utils.configuration import load_configuration

        configuration = dict(load_configuration(params))
        configuration["model_dir"] = model_dir  # absolute: spleeter never downloads over it
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(configuration, handle)
        separator = Separator(handle.name, MWF=False, multiprocess=False)
        instruments = list(separator._params["instrument_list"])
        separate = persistent_separation(separator)
        separate(np.zeros((separator._params["sample_rate"], 2), dtype=np.float32))  # warm up
    except Exception as exc:
        wire.send(protocol_out, {"ok": False, "error": f"{type(exc).__name__}: {exc}",
                                 "traceback": traceback.format_exc()})
        return 1
    wire.send(protocol_out, {"ok": True, "ready": True, "stems": instruments,
                             "sample_rate": separator._params["sample_rate"], "tensorflow": tf.__version__})
    while True:
        try:
            header, payload = wire.receive(protocol_in)
        except EOFError:
            return 0
        if header.get("op") == "quit":
            return 0
        try:
            (waveform,) = wire.split(payload, [header["shape"]])
            stems = separate(np.array(waveform))
            names = [name for name in instruments if name in stems]
            arrays = tuple(np.asarray(stems[name], dtype=np.float32) for name in names)
            wire.send(protocol_out, {"ok": True, "stems": names, "shapes": [list(a.shape) for a in arrays]},
                      arrays)
        except Exception as exc:
            wire.send(protocol_out, {"ok": False, "error": f"{type(exc).__name__}: {exc}",
                                     "traceback": traceback.format_exc()})


def persistent_separation(separator: Any) -> Callable[[Any], dict[str, Any]]:
    """A function separating ``(n, 2)`` waveforms in one TensorFlow session, weights restored once.

    ``Separator.separate`` in spleeter 2.4 runs ``Estimator.predict``, which rebuilds the graph
    and restores the checkpoint on every call; this builds spleeter's own graph
    (``EstimatorSpecBuilder`` on waveform placeholders) once and keeps the session open.
    """
    with separator._tf_graph.as_default():
        features = separator._get_features()
        outputs = {k: v for k, v in separator._get_builder().outputs.items() if k != "audio_id"}
        session = separator._get_session()
        provider = separator._get_input_provider()

    def separate(waveform: Any) -> dict[str, Any]:
        feed = provider.get_feed_dict(features, waveform, "")
        result: dict[str, Any] = session.run(outputs, feed_dict=feed)
        return result

    return separate


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
