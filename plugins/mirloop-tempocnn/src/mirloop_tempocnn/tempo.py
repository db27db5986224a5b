"""The ``tempocnn`` tempo backend: Schreiber & Müller's tempo-classification networks, in NumPy."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from mirloop.errors import OptionError
from mirloop.signal import TrackContext
from mirloop.stages import Backend, Option
from mirloop.types import TempoEstimate

from mirloop_tempocnn.features import mel_windows, normalise, window_centres
from mirloop_tempocnn.models import load_model

#: The network's 256 classes are 30, 31, …, 285 BPM.
FIRST_BPM = 30.0


class TempoCnnTempo(Backend):
    """Global and window tempo from tempo-cnn's classifiers (Schreiber & Müller, ISMIR 2018 and 2019).

    The network classifies each 11.9-s window of 40-band mel spectra into 256 tempo classes
    (30–285 BPM); the track tempo is the arg-max of the mean class distribution over all
    windows (tempo-cnn's ``estimate_tempo``; ``interpolate`` refines it between classes), its
    height the confidence. A grid window's tempo is the arg-max over the network windows whose
    centre falls in it (the track tempo when none does). ``model``: ``fcn`` (tempo-cnn's default,
    fully convolutional, 2019), ``cnn`` (the ISMIR 2018 network) or any other model the wheel ships.
    """

    name: ClassVar[str] = "tempocnn"
    stage: ClassVar[str] = "tempo"
    summary: ClassVar[str] = "tempo-cnn tempo classification (Schreiber & Müller), models AGPL-3.0"
    options: ClassVar[dict[str, Option]] = {
        "model": Option("fcn", str, "tempo-cnn model: fcn, cnn, ismir2018, deeptemp_k8, dt_maz_v_fold0, …"),
        "interpolate": Option(False, bool, "refine the arg-max between tempo classes (quadratic)"),
    }

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        if not self.opts["model"].strip():
            raise OptionError("tempo backend 'tempocnn' needs a model name, e.g. model=fcn")

    def distribution(self, ctx: TrackContext) -> tuple[np.ndarray, np.ndarray]:
        """Per network window: class probabilities ``(windows, 256)`` and centre times (s)."""
        network = load_model(self.opts["model"])
        windows = normalise(mel_windows(ctx.samples, ctx.sr), self.opts["model"])
        return network(windows), window_centres(len(windows))

    def estimate_tempo(self, ctx: TrackContext) -> TempoEstimate:
        probabilities, centres = self.distribution(ctx)
        mean = probabilities.mean(axis=0)
        bpm, height = self._peak(mean)
        window_bpm = []
        for start, end in zip(ctx.grid.starts, ctx.grid.ends, strict=True):
            inside = (centres >= start) & (centres < end)
            window_bpm.append(self._peak(probabilities[inside].mean(axis=0))[0] if inside.any() else bpm)
        return TempoEstimate(
            bpm=bpm,
            confidence=float(np.clip(height, 0.0, 1.0)),
            window_bpm=np.asarray(window_bpm),
            curve_times=centres,
            curve_bpm=np.asarray([self._peak(p)[0] for p in probabilities]),
        )

    def _peak(self, distribution: np.ndarray) -> tuple[float, float]:
        """(BPM, height) of the distribution's maximum, interpolated when asked (as tempo-cnn does)."""
        x = int(np.argmax(distribution))
        if not self.opts["interpolate"] or x in (0, len(distribution) - 1):
            return FIRST_BPM + x, float(distribution[x])
        a, b, c = np.polyfit([x - 1, x, x + 1], distribution[x - 1 : x + 2], 2)
        if a >= 0:
            return FIRST_BPM + x, float(distribution[x])
        return FIRST_BPM - b / (2 * a), float(c - b * b / (4 * a))
