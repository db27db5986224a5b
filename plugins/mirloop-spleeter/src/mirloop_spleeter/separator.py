"""The ``spleeter`` separator backend: Deezer's U-Net separator, run in an isolated worker."""

from __future__ import annotations

import os
from math import gcd
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from mirloop.stages import Backend, Option
from mirloop.types import Audio

from mirloop_spleeter.checkpoint import check_model_dir
from mirloop_spleeter.client import worker_for
from mirloop_spleeter.environment import require_ready

#: Default parent folder of the pretrained model folders (``2stems``, ``4stems``, ``5stems``).
DEFAULT_MODELS = Path.home() / ".cache" / "mirloop" / "spleeter-models"


class SpleeterSeparator(Backend):
    """Vocals and accompaniment (or 4/5 stems) with spleeter (Hennequin et al. 2020).

    The model runs in a separate Python environment (``mirloop-spleeter setup``) in a
    long-lived worker process: the model loads once per process and model, and each track is
    streamed to it. The input is resampled to the model's 44.1 kHz and made stereo; stems come
    back at the input's rate, length and channel count. With 4 or 5 stems, ``accompaniment``
    is the sum of every stem but ``vocals``.

    The model folder is ``model_path`` if set, else ``$MODEL_PATH/<stems>stems`` (spleeter's
    variable), else ``~/.cache/mirloop/spleeter-models/<stems>stems``. It is checked before
    use (see :func:`~mirloop_spleeter.checkpoint.check_model_dir`): spleeter would otherwise
    separate with random weights when the checkpoint is missing or partial. Nothing is ever
    downloaded. A ``params.json`` inside the folder overrides spleeter's built-in configuration.
    """

    name: ClassVar[str] = "spleeter"
    stage: ClassVar[str] = "separator"
    summary: ClassVar[str] = "Deezer spleeter U-Net (2/4/5 stems) in an isolated TensorFlow worker"
    options: ClassVar[dict[str, Option]] = {
        "model_path": Option("", str, "model folder (default: $MODEL_PATH/<stems>stems or "
                                      "~/.cache/mirloop/spleeter-models/<stems>stems)"),
        "stems": Option(2, int, "number of stems of the model", choices=(2, 4, 5)),
        "venv": Option("", str, "spleeter environment (default: $MIRLOOP_SPLEETER_VENV or "
                                "~/.cache/mirloop/spleeter-venv)"),
    }

    @property
    def model_dir(self) -> Path:
        """The model folder these options select (not yet checked)."""
        if self.opts["model_path"]:
            return Path(self.opts["model_path"]).expanduser().resolve()
        parent = os.environ.get("MODEL_PATH", "").strip()
        base = Path(parent).expanduser() if parent else DEFAULT_MODELS
        return (base / f"{self.opts['stems']}stems").resolve()

    def separate(self, audio: Audio) -> dict[str, Audio]:
        model_dir = self.model_dir
        check_model_dir(model_dir, f"{self.opts['stems']}stems")
        python = require_ready(self.opts["venv"] or None)
        own_params = model_dir / "params.json"
        params = str(own_params) if own_params.is_file() else f"spleeter:{self.opts['stems']}stems"
        worker = worker_for(python, params, model_dir)
        stereo = _to_stereo(audio.samples)
        waveform = _resample(stereo, audio.sr, worker.sample_rate).T  # (n, 2)
        stems = worker.separate(np.ascontiguousarray(waveform, dtype=np.float32))
        if "accompaniment" not in stems:
            stems["accompaniment"] = sum((s for n, s in stems.items() if n != "vocals"),
                                         np.zeros_like(waveform))
        return {name: _back(stem, worker.sample_rate, audio) for name, stem in stems.items()}


def _back(stem: np.ndarray, sr: int, like: Audio) -> Audio:
    """A ``(n, 2)`` stem at ``sr`` Hz as Audio with ``like``'s rate, length and channel count."""
    resampled = _resample(np.asarray(stem, dtype=np.float64).T, sr, like.sr, target_length=like.n_samples)
    samples: Any = resampled.mean(axis=0) if like.channels == 1 else resampled[: like.channels]
    if like.channels > 2:
        samples = np.vstack([resampled, np.repeat(resampled.mean(axis=0, keepdims=True),
                                                  like.channels - 2, axis=0)])
    return Audio(np.clip(samples, -1.0, 1.0).astype(np.float32), like.sr, like.source)


def _to_stereo(samples: np.ndarray) -> np.ndarray:
    """``(2, n)``: mono duplicated, stereo kept, more channels folded to their first two."""
    if samples.ndim == 1:
        return np.stack([samples, samples])
    if samples.shape[0] == 1:
        return np.vstack([samples, samples])
    return samples[:2]


def _resample(x: np.ndarray, sr: int, target_sr: int, *, target_length: int | None = None) -> np.ndarray:
    """Polyphase resampling of ``(channels, n)`` from ``sr`` to ``target_sr`` Hz, cut or
    zero-padded to ``target_length`` samples."""
    from scipy.signal import resample_poly

    if sr != target_sr:
        common = gcd(sr, target_sr)
        x = resample_poly(x, target_sr // common, sr // common, axis=-1)
    if target_length is not None:
        x = x[..., :target_length]
        if x.shape[-1] < target_length:
            x = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(0, target_length - x.shape[-1])])
    return x
