"""The type and shape each stage's method must return: cheap checks shared by the analysis and
the conformance kit.

Each ``*_problem(result, grid)`` looks only at types and array shapes (no pass over the values);
it is the ``check`` of its stage's record (:class:`mirloop.stages.Stage`), and
:func:`mirloop.stages.result_problem` runs it on every stage result as it returns, so a backend
that returns a ``dict`` instead of a :class:`~mirloop.types.KeyEstimate` is named at once
instead of failing later with an ``AttributeError`` in mirloop's code.
:mod:`mirloop.testing.conformance` runs the same checks first, then its checks of the values
(ranges, order, finiteness).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from mirloop.types import (
    Audio,
    Features,
    Grid,
    Key,
    KeyEstimate,
    Prediction,
    RenderResult,
    Segment,
    Segmentation,
    TargetPrediction,
    TempoEstimate,
)

#: How far (seconds) segments may miss the start and the end of the track.
SEGMENT_EDGE_TOLERANCE = 0.05


def coverage_problem(segments: tuple[Segment, ...], duration: float) -> str | None:
    """What keeps ``segments`` from covering ``[0, duration]`` s within :data:`SEGMENT_EDGE_TOLERANCE`;
    ``None`` if nothing. The analysis and the conformance kit both check with this."""
    if not segments:
        return "no segments"
    if abs(segments[0].start) > SEGMENT_EDGE_TOLERANCE:
        return f"the first segment starts at {segments[0].start:.3f} s, not 0"
    if abs(segments[-1].end - duration) > SEGMENT_EDGE_TOLERANCE:
        return f"the last segment ends at {segments[-1].end:.3f} s, the track at {duration:.3f} s"
    return None


def _returned(method: str, result: Any, expected: str) -> str:
    return f"{method}() returned {type(result).__name__}, expected {expected}"


def separator_problem(stems: Any, grid: Grid | None) -> str | None:
    """A separator's stems: a dict of :class:`~mirloop.types.Audio` with ``accompaniment``."""
    if not isinstance(stems, Mapping):
        return _returned("separate", stems, "a dict")
    if "accompaniment" not in stems:
        return f"separate() returned stems {sorted(map(str, stems))}; 'accompaniment' is required"
    for stem, audio in stems.items():
        if not isinstance(audio, Audio):
            return f"stem {stem!r} is {type(audio).__name__}, expected Audio"
    return None


def features_problem(features: Any, grid: Grid | None) -> str | None:
    """:class:`~mirloop.types.Features` on the track's grid, one named column per feature."""
    if not isinstance(features, Features):
        return _returned("extract", features, "Features")
    if grid is not None and not (isinstance(features.grid, Grid) and features.grid.n_windows == grid.n_windows
                                 and math.isclose(features.grid.duration, grid.duration, abs_tol=1e-6)):
        return f"result is on {features.grid!r}, expected the context's {grid!r}"
    if not (len(features.names) > 0 and all(isinstance(n, str) and n for n in features.names)):
        return f"feature names must be non-empty strings, got {features.names}"
    n = features.grid.n_windows if grid is None else grid.n_windows
    if features.values.shape != (n, len(features.names)):
        return (f"values have shape {features.values.shape}, "
                f"expected ({n}, {len(features.names)}) = (windows, names)")
    return None


def tempo_problem(tempo: Any, grid: Grid | None) -> str | None:
    """A :class:`~mirloop.types.TempoEstimate` with one BPM per grid window."""
    if not isinstance(tempo, TempoEstimate):
        return _returned("estimate_tempo", tempo, "TempoEstimate")
    if grid is not None and tempo.window_bpm.shape != (grid.n_windows,):
        return (f"window_bpm has shape {tempo.window_bpm.shape}, expected ({grid.n_windows},), "
                "one BPM per grid window")
    if tempo.curve_times.shape != tempo.curve_bpm.shape:
        return f"curve_times {tempo.curve_times.shape} and curve_bpm {tempo.curve_bpm.shape} differ in shape"
    return None


def key_problem(key: Any, grid: Grid | None) -> str | None:
    """A :class:`~mirloop.types.KeyEstimate` with one key and confidence per grid window."""
    if not isinstance(key, KeyEstimate):
        return _returned("estimate_key", key, "KeyEstimate")
    if not isinstance(key.key, Key):
        return f"key is {key.key!r}, expected a mirloop.types.Key"
    n = len(key.window_keys) if grid is None else grid.n_windows
    if len(key.window_keys) != n:
        return f"{len(key.window_keys)} window keys for {n} grid windows"
    for index, window_key in enumerate(key.window_keys):
        if not isinstance(window_key, Key):
            return f"window {index} key is {window_key!r}, expected a Key"
    if key.window_confidence.shape != (n,):
        return f"window_confidence has shape {key.window_confidence.shape}, expected ({n},)"
    return None


def segmentation_problem(result: Any, grid: Grid | None) -> str | None:
    """A :class:`~mirloop.types.Segmentation` of :class:`~mirloop.types.Segment` s."""
    if not isinstance(result, Segmentation):
        return _returned("segment", result, "Segmentation")
    if len(result.segments) == 0:
        return "no segments"
    for index, segment in enumerate(result.segments):
        if not isinstance(segment, Segment):
            return f"segment {index} is {type(segment).__name__}, expected a mirloop.types.Segment"
    if not (isinstance(result.n_clusters, int | np.integer) and int(result.n_clusters) >= 1):
        return f"n_clusters must be a positive integer, got {result.n_clusters!r}"
    return None


def prediction_problem(prediction: Any, grid: Grid | None) -> str | None:
    """A :class:`~mirloop.types.Prediction`: per target, one probability row per grid window."""
    if not isinstance(prediction, Prediction):
        return _returned("predict", prediction, "Prediction")
    for target, result in prediction.targets.items():
        if not isinstance(result, TargetPrediction):
            return f"target {target!r} is {type(result).__name__}, expected a TargetPrediction"
        shape = np.shape(result.probabilities)
        n = shape[0] if grid is None and shape else (grid.n_windows if grid is not None else 0)
        if shape != (n, len(result.classes)):
            return (f"target {target!r}: probabilities have shape {shape}, expected ({n}, "
                    f"{len(result.classes)}) = (windows, classes)")
    return None


def render_problem(result: Any, grid: Grid | None) -> str | None:
    """A :class:`~mirloop.types.RenderResult` holding :class:`~mirloop.types.Audio`."""
    if not isinstance(result, RenderResult):
        return _returned("render", result, "mirloop.types.RenderResult(audio, midi, truth, seed)")
    if not isinstance(result.audio, Audio):
        return f"result.audio is {type(result.audio).__name__}, expected Audio"
    return None
