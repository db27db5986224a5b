"""Conformance checks: does a backend keep its stage's contract?

Run a backend on generated audio and check the types, shapes and ranges of what it returns
(see :mod:`mirloop.stages` for the contracts). Every problem raises :class:`ConformanceError`,
an :class:`AssertionError`, so the checks read naturally inside pytest::

    from mirloop.testing import check_backend

    def test_my_tempo_backend_conforms():
        check_backend("tempo", MyTempo, min_bpm=60)

The checks are about the contract, not about accuracy: a tempo backend must return a
positive, plausible BPM for every grid window, not the right one.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from mirloop.errors import MirloopError
from mirloop.stage_results import SEGMENT_EDGE_TOLERANCE as SEGMENT_EDGE_TOLERANCE
from mirloop.stage_results import coverage_problem
from mirloop.stages import BUILTIN_STAGES, Backend, Option, result_problem, stage_names, stage_record
from mirloop.types import (
    Audio,
    Features,
    Grid,
    KeyEstimate,
    Prediction,
    RenderResult,
    Segmentation,
    TempoEstimate,
)
from mirloop.types.estimates import MODES, PITCH_CLASSES

if TYPE_CHECKING:
    from mirloop.signal import TrackContext

T = TypeVar("T")

#: Plausible musical tempi, in BPM.
MIN_PLAUSIBLE_BPM, MAX_PLAUSIBLE_BPM = 30.0, 300.0
#: How far (seconds) a rendered audio may be from the timeline's duration.
RENDER_DURATION_TOLERANCE = 0.5
#: Allowed deviation of a probability row's sum from 1.
PROBABILITY_TOLERANCE = 1e-4
#: Length (seconds) of the generated test tracks: several grid windows, and a single short one.
TRACK_SECONDS, SHORT_SECONDS = 24.0, 6.0


class ConformanceError(MirloopError, AssertionError):
    """A backend broke its stage's contract; the message says which backend, what and where."""


# -- entry points ---------------------------------------------------------------------------------------


def check_backend(stage: str, backend: type[Backend] | Backend | str, /, **options: Any) -> Any:
    """Check ``backend`` against the contract of ``stage`` and return its output on a test track.

    ``backend`` is a backend class (instantiated with ``options``), an instance, or the name of
    an installed backend (looked up in :func:`mirloop.plugins.registry`). The class is checked
    first (``name``, ``stage``, ``options``, the stage's method), then the backend runs on
    generated audio: a 24-s track (eight grid windows) and a 6-s one (a single window).
    """
    record = stage_record(stage)
    if record is None:
        raise ConformanceError(f"unknown stage {stage!r}; stages are: {', '.join(stage_names())}")
    check = record.conformance_check()
    if check is None:
        raise ConformanceError(f"stage {stage!r} names no conformance check; give its Stage record one")
    return check(_instantiate(stage, backend, options))


def check_class(stage: str, cls: type) -> None:
    """Check the class attributes a backend class must have for ``stage``."""
    where = getattr(cls, "__qualname__", repr(cls))
    if not (isinstance(cls, type) and issubclass(cls, Backend)):
        raise ConformanceError(f"{where} must subclass mirloop.stages.Backend")
    _require(isinstance(cls.name, str) and cls.name.strip() == cls.name and cls.name != "",
             f"{where}.name must be a non-empty string without surrounding spaces, got {cls.name!r}")
    _require(cls.stage == stage, f"{where}.stage is {cls.stage!r}, expected {stage!r}")
    for method in _methods(stage):
        _require(callable(getattr(cls, method, None)), f"{where} lacks the {stage} method {method}()")
    _require(isinstance(cls.options, dict), f"{where}.options must be a dict of mirloop.stages.Option")
    for key, option in cls.options.items():
        _require(isinstance(key, str) and key.isidentifier(),
                 f"{where}: option name {key!r} is not an identifier")
        _require(isinstance(option, Option), f"{where}: option {key!r} is {option!r}, not an Option")
        if option.choices is not None:
            _require(option.default in option.choices,
                     f"{where}: default {option.default!r} of option {key!r} is not one of {option.choices}")
    try:
        cls.resolve_options({})
    except MirloopError as exc:
        raise ConformanceError(f"{where}: the default options do not validate: {exc}") from exc


def check_features(backend: Backend) -> Features:
    """One finite row per grid window, with unique column names."""
    return _on_test_tracks(_check_features_on, backend)


def check_tempo(backend: Backend) -> TempoEstimate:
    """A plausible positive BPM for the track and for every grid window; sorted beats inside the track."""
    return _on_test_tracks(_check_tempo_on, backend)


def check_key(backend: Backend) -> KeyEstimate:
    """A :class:`~mirloop.types.Key` for the track and every window, confidences in [0, 1].

    Besides the two test tracks, the backend hears a cadence in each of the 12 tonics
    (alternately major and minor, one window each), so a tonic it cannot name fails here
    rather than on a user's track.
    """
    result = _on_test_tracks(_check_key_on, backend)
    for ctx in _tonic_contexts():
        _check_key_on(backend, ctx)
    return result


def check_segmenter(backend: Backend) -> Segmentation:
    """Consecutive, labelled, non-empty segments covering ``[0, duration]``."""
    return _on_test_tracks(_check_segmentation_on, backend)


def check_separator(backend: Backend) -> dict[str, Audio]:
    """Stems (at least ``accompaniment``) with the input's sample rate and length."""
    audio = _stereo_track()
    original = audio.samples.copy()
    stems = _call(backend, "separate", audio)
    where = _name(backend)
    _require_result("separator", stems, None, where)
    for stem, result in stems.items():
        here = f"{where}: stem {stem!r}"
        _require(isinstance(stem, str) and stem != "", f"{here}: stem names must be non-empty strings")
        _require(result.sr == audio.sr, f"{here} is at {result.sr} Hz, the input at {audio.sr} Hz")
        _require(result.n_samples == audio.n_samples,
                 f"{here} has {result.n_samples} samples, the input {audio.n_samples}")
        _require(bool(np.isfinite(result.samples).all()), f"{here} has non-finite samples")
    _require(np.array_equal(audio.samples, original), f"{where}.separate() modified its input audio")
    return dict(stems)


def check_classifier(backend: Backend, features: Features | None = None) -> Prediction:
    """For each target, per-window probabilities over unique classes that sum to 1.

    Without ``features``, the classifier runs on the test track's features from the backend it
    ``reads_features``, else from the default features backend.
    """
    features = features if features is not None else _test_features(type(backend).reads_features)
    prediction = _call(backend, "predict", features)
    where = _name(backend)
    _require_result("classifier", prediction, features.grid, where)
    _require(len(prediction.targets) > 0, f"{where}.predict() returned no targets")
    for target, result in prediction.targets.items():
        here = f"{where}: target {target!r}"
        _require(result.target == target, f"{here} holds a prediction for {result.target!r}")
        _require(len(result.classes) > 0 and len(set(result.classes)) == len(result.classes),
                 f"{here}: classes must be unique and non-empty, got {result.classes}")
        probabilities = np.asarray(result.probabilities, dtype=np.float64)
        _require(bool(np.isfinite(probabilities).all()), f"{here}: probabilities are not all finite")
        _require(bool(((probabilities >= 0) & (probabilities <= 1 + PROBABILITY_TOLERANCE)).all()),
                 f"{here}: probabilities outside [0, 1]")
        sums = probabilities.sum(axis=1)
        worst = int(np.argmax(np.abs(sums - 1)))
        _require(abs(sums[worst] - 1) <= PROBABILITY_TOLERANCE,
                 f"{here}: probabilities of window {worst} sum to {sums[worst]:.6f}, not 1")
    return prediction


def check_renderer(backend: Backend, timeline: Any = None) -> RenderResult:
    """A :class:`~mirloop.types.RenderResult` whose audio (finite, peak at most 1) lasts the
    timeline's duration; the same seed, the same audio."""
    timeline = timeline if timeline is not None else _test_timeline()
    result = _call(backend, "render", timeline, seed=0)
    where = _name(backend)
    _require_result("renderer", result, None, where)
    audio = result.audio
    expected = _timeline_duration(timeline)
    _require(abs(audio.duration - expected) <= RENDER_DURATION_TOLERANCE,
             f"{where}: rendered {audio.duration:.2f} s for a timeline of {expected:.2f} s")
    _require(bool(np.isfinite(audio.samples).all()), f"{where}: rendered audio has non-finite samples")
    peak = float(np.abs(audio.samples).max(initial=0.0))
    _require(peak <= 1.0 + 1e-6, f"{where}: rendered audio clips (peak {peak:.3f} > 1)")
    _require(peak > 0.0, f"{where}: rendered audio is silent")
    repeat = _call(backend, "render", timeline, seed=0)
    _require_result("renderer", repeat, None, where)
    _require(np.array_equal(repeat.audio.samples, audio.samples),
             f"{where}: two renders with seed 0 differ; the same timeline and seed must give the same audio")
    return result




# -- per-track checks ------------------------------------------------------------------------------------


def _check_features_on(backend: Backend, ctx: TrackContext) -> Features:
    where = f"{_name(backend)} on {ctx.duration:.0f} s"
    features = _call_on(backend, "extract", ctx)
    _require_result("features", features, ctx.grid, where)
    names = features.names
    _require(len(set(names)) == len(names), f"{where}: duplicate feature names {_duplicates(names)}")
    bad = ~np.isfinite(features.values)
    if bad.any():
        rows, cols = np.nonzero(bad)
        columns = sorted({names[c] for c in cols})
        raise ConformanceError(f"{where}: non-finite values in windows {sorted(set(rows.tolist()))[:5]}, "
                               f"columns {columns}")
    return features


def _check_tempo_on(backend: Backend, ctx: TrackContext) -> TempoEstimate:
    where = f"{_name(backend)} on {ctx.duration:.0f} s"
    tempo = _call_on(backend, "estimate_tempo", ctx)
    _require_result("tempo", tempo, ctx.grid, where)
    _require_bpm(tempo.bpm, f"{where}: track tempo")
    _require_unit(tempo.confidence, f"{where}: tempo confidence")
    for index, bpm in enumerate(tempo.window_bpm):
        _require_bpm(float(bpm), f"{where}: tempo of window {index}")
    _require_times(tempo.curve_times, ctx.duration, f"{where}: curve_times")
    _require(bool(np.isfinite(tempo.curve_bpm).all() and (tempo.curve_bpm >= 0).all()),
             f"{where}: curve_bpm must be finite and non-negative")
    _require_times(tempo.beats, ctx.duration, f"{where}: beats")
    return tempo


def _check_key_on(backend: Backend, ctx: TrackContext) -> KeyEstimate:
    where = f"{_name(backend)} on {ctx.duration:.0f} s of {ctx.audio.source}"
    key = _call_on(backend, "estimate_key", ctx)
    _require_result("key", key, ctx.grid, where)
    _require_unit(key.confidence, f"{where}: key confidence")
    for index, confidence in enumerate(key.window_confidence):
        _require_unit(float(confidence), f"{where}: confidence of window {index}")
    return key


def _check_segmentation_on(backend: Backend, ctx: TrackContext) -> Segmentation:
    where = f"{_name(backend)} on {ctx.duration:.0f} s"
    result = _call_on(backend, "segment", ctx)
    _require_result("segmenter", result, ctx.grid, where)
    segments = result.segments
    coverage = coverage_problem(segments, ctx.duration)
    _require(coverage is None, f"{where}: {coverage}")
    for index, segment in enumerate(segments):
        _require(isinstance(segment.label, str) and segment.label != "",
                 f"{where}: segment {index} has no label")
        _require(segment.end > segment.start,
                 f"{where}: segment {index} [{segment.start:.3f}, {segment.end:.3f}) is empty or reversed")
        if index:
            gap = segment.start - segments[index - 1].end
            _require(abs(gap) <= 1e-6,
                     f"{where}: segments {index - 1} and {index} are not consecutive "
                     f"({segments[index - 1].end:.3f} s then {segment.start:.3f} s)")
    return result


# -- building blocks --------------------------------------------------------------------------------------


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConformanceError(message)


def _require_bpm(bpm: float, what: str) -> None:
    _require(math.isfinite(bpm) and MIN_PLAUSIBLE_BPM <= bpm <= MAX_PLAUSIBLE_BPM,
             f"{what} is {bpm!r} BPM, outside the plausible range "
             f"[{MIN_PLAUSIBLE_BPM:g}, {MAX_PLAUSIBLE_BPM:g}]")


def _require_unit(value: float, what: str) -> None:
    _require(math.isfinite(value) and 0.0 <= value <= 1.0,
             f"{what} is {value!r}, expected a number in [0, 1]")


def _require_times(times: np.ndarray, duration: float, what: str) -> None:
    _require(bool(np.isfinite(times).all()), f"{what} are not all finite")
    _require(bool((np.diff(times) >= 0).all()), f"{what} are not sorted")
    if times.size:
        _require(times[0] >= 0 and times[-1] <= duration + 1e-6,
                 f"{what} run from {times[0]:.3f} s to {times[-1]:.3f} s, "
                 f"outside the track [0, {duration:.3f}]")


def _require_result(stage: str, result: Any, grid: Grid | None, where: str) -> None:
    """The type and shapes the analysis checks too (:func:`mirloop.stages.result_problem`)."""
    problem = result_problem(stage, result, grid=grid)
    _require(problem is None, f"{where}: {problem}")


def _duplicates(names: tuple[str, ...]) -> list[str]:
    return sorted({n for n in names if names.count(n) > 1})


def _name(backend: Backend) -> str:
    return f"{type(backend).stage} backend {type(backend).name!r}"


def _methods(stage: str) -> tuple[str, ...]:
    record = stage_record(stage)
    return () if record is None else record.methods


def _instantiate(stage: str, backend: type[Backend] | Backend | str, options: dict[str, Any]) -> Backend:
    if isinstance(backend, str):
        from mirloop.errors import BackendClashError
        from mirloop.plugins import registry

        try:
            backend = registry().get(stage, backend).cls
        except BackendClashError as exc:  # the name would test one plugin while another may run
            raise ConformanceError(str(exc)) from exc
    if isinstance(backend, type):
        check_class(stage, backend)
        return backend(**options)
    if options:
        raise ConformanceError("options are given to a backend class or name, not to an instance")
    check_class(stage, type(backend))
    return backend


def _call(backend: Backend, method: str, *args: Any, **kwargs: Any) -> Any:
    try:
        return getattr(backend, method)(*args, **kwargs)
    except ConformanceError:
        raise
    except Exception as exc:
        raise ConformanceError(f"{_name(backend)}.{method}() raised {type(exc).__name__}: {exc}") from exc


def _call_on(backend: Backend, method: str, ctx: TrackContext) -> Any:
    before = ctx.samples.copy()
    result = _call(backend, method, ctx)
    _require(np.array_equal(ctx.samples, before),
             f"{_name(backend)}.{method}() modified the context's samples")
    return result


def _on_test_tracks(check: Callable[[Backend, TrackContext], T], backend: Backend) -> T:
    """Run ``check`` on the multi-window and on the single-window test track; the first result."""
    first, *_ = [check(backend, ctx) for ctx in _contexts()]
    return first


def _contexts() -> list[TrackContext]:
    """Fresh contexts for a multi-window track and a single-window one."""
    from mirloop.signal import TrackContext

    return [TrackContext(_test_track(TRACK_SECONDS)), TrackContext(_test_track(SHORT_SECONDS))]


def _tonic_contexts() -> list[TrackContext]:
    """A 4-s cadence (I–IV–V–I or i–iv–V–i) on each of the 12 tonics, alternately major and minor."""
    from mirloop.signal import TrackContext

    return [TrackContext(_tonic_track(tonic, MODES[index % 2])) for index, tonic in enumerate(PITCH_CLASSES)]


@functools.lru_cache(maxsize=len(PITCH_CLASSES))
def _cadence(tonic: str, mode: str) -> Audio:
    from mirloop.signal import ANALYSIS_SR
    from mirloop.testing.signals import cadence

    return cadence(tonic, mode, repeats=1, sr=ANALYSIS_SR)


def _tonic_track(tonic: str, mode: str) -> Audio:
    audio = _cadence(tonic, mode)
    return Audio(audio.samples.copy(), audio.sr, audio.source)


def _stereo_track() -> Audio:
    mono = _test_track(TRACK_SECONDS)
    return Audio(np.stack([mono.samples, 0.5 * mono.samples]), mono.sr, "conformance-stereo")


def _test_features(backend: str = "") -> Features:
    """Features of the test track from ``backend`` (default: the default features backend)."""
    from mirloop.config import DEFAULT_BACKENDS
    from mirloop.plugins import registry
    from mirloop.signal import TrackContext

    extractor = registry().create("features", backend or DEFAULT_BACKENDS["features"])
    features: Features = extractor.extract(TrackContext(_test_track(TRACK_SECONDS)))
    return features


def _test_track(seconds: float) -> Audio:
    """Generated music at the analysis rate: chords over drums, then (past 10 s) a contrasting pad.

    A fresh copy each time, so a backend that writes into its input cannot spoil later checks.
    """
    audio = _generated_track(seconds)
    return Audio(audio.samples.copy(), audio.sr, audio.source)


@functools.lru_cache(maxsize=4)
def _generated_track(seconds: float) -> Audio:
    from mirloop.testing.signals import spliced_sections

    if seconds <= 10.0:
        return spliced_sections("A", section_seconds=seconds).audio
    return spliced_sections("AB", section_seconds=seconds / 2).audio


def _test_timeline() -> Any:
    """A two-region, 8-s timeline of the first two descriptors of the catalog, in different keys."""
    from mirloop.catalog import load_catalog
    from mirloop.timeline import multi_region

    first, second = load_catalog().names()[:2]
    return multi_region([(0.0, 4.0, first, None, "c major"), (4.0, 8.0, second, None, "a minor")], seed=0)


def _timeline_duration(timeline: Any) -> float:
    """Seconds of a :class:`mirloop.timeline.Timeline`, or of its JSON."""
    from mirloop.timeline import Timeline

    if not isinstance(timeline, Timeline):
        timeline = Timeline.from_json(timeline)
    return float(timeline.duration)


#: The check for each built-in stage (its record's ``conformance``, :data:`mirloop.stages.BUILTIN_STAGES`).
CHECKS: dict[str, Callable[[Backend], Any]] = {
    stage.name: check for stage in BUILTIN_STAGES if (check := stage.conformance_check()) is not None
}
