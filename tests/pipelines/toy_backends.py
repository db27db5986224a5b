"""A small, fully working plugin with one backend per analysis stage, for pipeline tests.

Each backend computes something simple but real from the signal, so the tests can check
that the pipeline hands every stage the right input and assembles the results.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from mirloop import hookimpl
from mirloop.stages import Backend, Option
from mirloop.types import (
    FEATURE_NAMES,
    Audio,
    Features,
    Key,
    KeyEstimate,
    Prediction,
    Segment,
    Segmentation,
    TargetPrediction,
    TempoEstimate,
)

#: Every stage served by the toy plugin, as a ``config=`` mapping.
TOY_CONFIG: dict[str, Any] = {
    stage: {"backend": "toy"} for stage in ("features", "tempo", "key", "segmenter")
}


def window_rms(ctx: Any) -> np.ndarray:
    """RMS of each grid window of the analysis signal."""
    values = []
    for start, end in zip(ctx.grid.starts, ctx.grid.ends):
        chunk = ctx.samples[int(start * ctx.sr) : max(int(end * ctx.sr), int(start * ctx.sr) + 1)]
        values.append(float(np.sqrt(np.mean(np.square(chunk, dtype=np.float64)))) if len(chunk) else 0.0)
    return np.asarray(values)


class ToyFeatures(Backend):
    """Window RMS in every feature column (scaled by the column number)."""

    name = "toy"
    stage = "features"
    summary = "window RMS in every column"

    def extract(self, ctx: Any) -> Features:
        rms = window_rms(ctx)
        values = rms[:, None] * np.arange(1, len(FEATURE_NAMES) + 1)[None, :]
        return Features(ctx.grid, values, backend=self.name)


class ToyTempo(Backend):
    """A constant tempo with beats on the beat grid."""

    name = "toy"
    stage = "tempo"
    summary = "a constant tempo"
    options: ClassVar[dict[str, Option]] = {"bpm": Option(120.0, float, "tempo to report, BPM")}

    def estimate_tempo(self, ctx: Any) -> TempoEstimate:
        bpm = self.opts["bpm"]
        beats = np.arange(0.0, ctx.duration, 60.0 / bpm)
        return TempoEstimate(bpm, 0.8, np.full(ctx.grid.n_windows, bpm), ctx.grid.centers,
                             np.full(ctx.grid.n_windows, bpm), beats)


class ToyKey(Backend):
    """A minor in the first half of the track, C major after it."""

    name = "toy"
    stage = "key"
    summary = "A minor, then C major"

    def estimate_key(self, ctx: Any) -> KeyEstimate:
        half = ctx.duration / 2
        keys = tuple(Key("A", "minor") if c < half else Key("C", "major") for c in ctx.grid.centers)
        return KeyEstimate(keys[0], 0.7, keys, np.full(len(keys), 0.6))


class ToySegmenter(Backend):
    """Two halves labelled A and B."""

    name = "toy"
    stage = "segmenter"
    summary = "two halves"

    def segment(self, ctx: Any) -> Segmentation:
        half = ctx.duration / 2
        return Segmentation((Segment(0.0, half, "A"), Segment(half, ctx.duration, "B")), 2, "halves")


class ShortSegmenter(ToySegmenter):
    """Two halves whose last segment stops 80 ms before the end of the track."""

    name = "short"

    def segment(self, ctx: Any) -> Segmentation:
        first, second = super().segment(ctx).segments
        return Segmentation((first, Segment(second.start, ctx.duration - 0.08, "B")), 2, "short halves")


class ToySeparator(Backend):
    """Accompaniment: the left channel; vocals: the right channel."""

    name = "toy"
    stage = "separator"
    summary = "left channel as accompaniment"
    sample_rate = 44100
    received: ClassVar[list[Audio]] = []

    def separate(self, audio: Audio) -> dict[str, Audio]:
        ToySeparator.received.append(audio)
        samples = audio.samples if audio.samples.ndim == 2 else audio.samples[None, :]
        return {"accompaniment": Audio(samples[0], audio.sr, audio.source),
                "vocals": Audio(samples[-1], audio.sr, audio.source)}


class ToyClassifier(Backend):
    """genre 'loud' when a window's first feature exceeds ``threshold``, else 'quiet'."""

    name = "toy"
    stage = "classifier"
    summary = "loud or quiet"
    options: ClassVar[dict[str, Option]] = {"threshold": Option(0.1, float, "RMS separating quiet from loud")}

    def predict(self, features: Features) -> Prediction:
        loud = features.values[:, 0] > self.opts["threshold"]
        probabilities = np.where(loud[:, None], [[0.1, 0.9]], [[0.8, 0.2]])
        return Prediction({"genre": TargetPrediction("genre", ("quiet", "loud"), probabilities)}, model="toy")


class BrokenTempo(Backend):
    """A tempo backend with a bug: it answers for one window whatever the grid."""

    name = "broken"
    stage = "tempo"

    def estimate_tempo(self, ctx: Any) -> TempoEstimate:
        return TempoEstimate(100.0, 1.0, np.full(ctx.grid.n_windows + 1, 100.0))


class DictKey(Backend):
    """A key backend with a bug: it returns a dict instead of a KeyEstimate."""

    name = "dict"
    stage = "key"

    def estimate_key(self, ctx: Any) -> Any:
        return {"key": "A minor", "confidence": 0.5}


class FragileTempo(ToyTempo):
    """:class:`ToyTempo` that takes ``sleep`` seconds per track and ends its own process abruptly
    (``os._exit``, or ``SIGKILL`` with ``how="kill"``) on the file named ``die_on``, as a crash in
    native code would: no exception, no clean-up."""

    name = "fragile"
    options: ClassVar[dict[str, Option]] = {
        **ToyTempo.options,
        "die_on": Option("", str, "file name on which the process dies"),
        "how": Option("exit", str, "exit (os._exit(70)) or kill (SIGKILL)"),
        "sleep": Option(0.0, float, "seconds to wait before answering"),
    }

    def estimate_tempo(self, ctx: Any) -> TempoEstimate:
        time.sleep(self.opts["sleep"])
        if self.opts["die_on"] and Path(ctx.audio.source).name == self.opts["die_on"]:
            if self.opts["how"] == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            os._exit(70)
        return super().estimate_tempo(ctx)


@hookimpl
def register_feature_extractors(register: Any) -> None:
    register(ToyFeatures)


@hookimpl
def register_inducers(register: Any) -> None:
    register(ToyTempo)
    register(ToyKey)
    register(BrokenTempo)
    register(DictKey)
    register(FragileTempo)


@hookimpl
def register_segmenters(register: Any) -> None:
    register(ToySegmenter)
    register(ShortSegmenter)


@hookimpl
def register_separators(register: Any) -> None:
    register(ToySeparator)


@hookimpl
def register_classifiers(register: Any) -> None:
    register(ToyClassifier)
