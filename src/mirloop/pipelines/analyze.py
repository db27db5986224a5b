"""Analyse one track: load → (separate) → shared context → features, tempo, key, form → classify.

Each stage is served by the backend the configuration names (``none`` skips it); every backend
call is timed and traced with :func:`mirloop.plugins.trace`. The configuration is resolved and
validated before any audio is read, so a misspelt backend or option fails at once.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import numpy as np
from attrs import frozen

from mirloop.config import Config, load_config
from mirloop.errors import ConfigError, PluginError
from mirloop.model import Analysis, Audio, Features, KeyEstimate, Prediction, Segmentation, TempoEstimate
from mirloop.plugins import registry, trace
from mirloop.signal import ANALYSIS_SR, TrackContext

#: The stages an analysis runs, in order.
ANALYSIS_STAGES: tuple[str, ...] = ("separator", "features", "tempo", "key", "segmenter", "classifier")
#: Peak amplitude below which a track counts as digital silence (-80 dBFS).
SILENCE_PEAK = 1e-4
#: Sample rate (Hz) handed to a separator that does not declare its own ``sample_rate``.
SEPARATOR_SR = 44100

ConfigLike = Config | Mapping[str, Any] | str | os.PathLike[str] | None
T = TypeVar("T")


class SilentTrackWarning(UserWarning):
    """The track is digital silence; its analysis is flagged ``silent``."""


class DamagedAudioWarning(UserWarning):
    """The file decoded only in part; its analysis is flagged ``damaged`` and carries the damage."""


@frozen(eq=False)
class AnalysisRun:
    """An :class:`~mirloop.model.Analysis` with the track context it was computed on (for figures)."""

    analysis: Analysis
    context: TrackContext


def analyze(path: str | os.PathLike[str], *, config: ConfigLike = None) -> Analysis:
    """Analyse the audio file at ``path``.

    ``config`` is a :class:`~mirloop.config.Config`, a mapping such as
    ``{"tempo": {"backend": "librosa", "max_bpm": 200}}`` applied on top of the discovered
    configuration, or the path of a ``mirloop.toml``.
    """
    analysis = analyze_file(path, config=resolve_analysis_config(config)).analysis
    _warn_about_flags(analysis)
    return analysis


def analyze_audio(audio: Audio, *, config: ConfigLike = None) -> Analysis:
    """Analyse samples already in memory (any rate and channel count; mixed down and resampled).

    A float render has no 16-bit noise floor, unlike the stored renders the shipped model was
    trained on; to classify a render as those were heard, pass
    :func:`mirloop.dataset.render_job.stored_analysis_audio` of it (as ``mirloop loop`` does).
    """
    analysis = analyze_samples(audio, config=resolve_analysis_config(config)).analysis
    _warn_about_flags(analysis)
    return analysis


def resolve_analysis_config(config: ConfigLike = None) -> Config:
    """The configuration to analyse with, checked against the installed backends."""
    resolved = config if isinstance(config, Config) else load_config(config)
    validate_analysis_config(resolved)
    return resolved


def validate_analysis_config(config: Config) -> None:
    """Every analysis stage names an installed backend that accepts its options.

    Each backend is instantiated once (cheap: heavy libraries load only when a stage runs), so
    checks in its constructor, such as ``min_bpm < max_bpm``, fail here too. Raises
    :class:`~mirloop.errors.ConfigError` (listing the valid names) before any work.
    """
    reg = registry()
    for stage in ANALYSIS_STAGES:
        conf = config.stages[stage]
        if conf.backend == "none":
            if conf.options:
                raise ConfigError(
                    f"stage {stage!r} is switched off ('none') but has options {sorted(conf.options)}; "
                    f"choose a backend with --use {stage}=NAME or drop the options"
                )
            continue
        reg.create(stage, conf.backend, conf.options)  # runs the backend's own option checks too
    if config.backend("classifier") != "none" and config.backend("features") == "none":
        raise ConfigError("the classifier reads the window features, but the features stage is 'none'; "
                          "choose a feature backend, e.g. --use features=librosa")
    if config.backend("classifier") != "none":
        needed = reg.get("classifier", config.backend("classifier")).cls.reads_features
        if needed and reg.get("features", config.backend("features")).name != needed:
            raise ConfigError(
                f"classifier {config.backend('classifier')!r} reads the columns of the {needed!r} feature "
                f"backend, but the features stage uses {config.backend('features')!r}; "
                f"add --use features={needed}"
            )


def analyze_file(
    path: str | os.PathLike[str], *, config: Config, create: BackendFactory | None = None
) -> AnalysisRun:
    """Load ``path`` (at the separator's rate when one is configured) and analyse it."""
    from mirloop.io.audio import load_audio

    started = time.perf_counter()
    if config.backend("separator") == "none":
        audio = load_audio(path, sr=ANALYSIS_SR, mono=True)
    else:
        audio = load_audio(path, sr=_separator_rate(config), mono=False)
    return analyze_samples(audio, config=config, load_seconds=time.perf_counter() - started, create=create)


#: Makes the backend of a stage: ``create(stage, name, options)`` (default: a new one per call).
BackendFactory = Callable[[str, str, dict[str, Any]], Any]


def analyze_samples(
    audio: Audio, *, config: Config, load_seconds: float | None = None, create: BackendFactory | None = None
) -> AnalysisRun:
    """Run every configured stage on ``audio`` (``config`` already validated). ``create`` makes
    each stage's backend (e.g. :func:`mirloop.executors.state.cached_backend`, which a worker
    process reuses from track to track)."""
    reg = registry()
    make = create or reg.create
    source = audio.source or "<memory>"
    started = time.perf_counter()
    timings: dict[str, float] = {} if load_seconds is None else {"load": load_seconds}
    backends: dict[str, str] = {}

    def run(stage: str, method: str, call: Callable[[Any], T]) -> T | None:
        name = config.backend(stage)
        if name == "none":
            return None
        backend = make(stage, name, config.options(stage))
        stage_started = time.perf_counter()
        with trace(stage, name, method):
            result = call(backend)
        timings[stage] = time.perf_counter() - stage_started
        backends[stage] = reg.get(stage, name).name
        return result

    damage = audio.damage
    separated = run("separator", "separate", lambda backend: backend.separate(audio))
    if separated is not None:
        audio = _accompaniment(separated, config.backend("separator"))
    signal = _analysis_signal(audio)
    flags = _input_flags(signal) + (("damaged",) if damage is not None else ())
    ctx = TrackContext(signal)
    features = run("features", "extract", lambda backend: backend.extract(ctx))
    tempo = run("tempo", "estimate_tempo", lambda backend: backend.estimate_tempo(ctx))
    key = run("key", "estimate_key", lambda backend: backend.estimate_key(ctx))
    segmentation = run("segmenter", "segment", lambda backend: backend.segment(ctx))
    prediction = None
    if features is not None:
        prediction = run("classifier", "predict", lambda backend: backend.predict(features))
    _check_results(ctx, config, features, tempo, key, segmentation, prediction)
    timings["total"] = time.perf_counter() - started + (load_seconds or 0.0)
    analysis = Analysis(
        source=source,
        duration=ctx.duration,
        sr=ctx.sr,
        grid=ctx.grid,
        features=features,
        tempo=tempo,
        key=key,
        segmentation=segmentation,
        prediction=prediction,
        backends=backends,
        timings=timings,
        flags=flags,
        damage=damage,
    )
    return AnalysisRun(analysis, ctx)


def _separator_rate(config: Config) -> int:
    cls = registry().get("separator", config.backend("separator")).cls
    return int(getattr(cls, "sample_rate", SEPARATOR_SR))


def _accompaniment(stems: Mapping[str, Audio], backend: str) -> Audio:
    if "accompaniment" not in stems:
        raise PluginError(f"separator {backend!r} returned stems {sorted(stems)} without 'accompaniment'; "
                          "the separator protocol requires it")
    return stems["accompaniment"]


def _analysis_signal(audio: Audio) -> Audio:
    """Mono float32 at the analysis rate (resampled in one go: in-memory input is already in memory)."""
    mono = audio.mono()
    if mono.sr == ANALYSIS_SR:
        return mono
    import soxr

    samples = soxr.resample(mono.samples, mono.sr, ANALYSIS_SR, quality="HQ")
    return Audio(np.asarray(samples, dtype=np.float32), ANALYSIS_SR, audio.source)


def _input_flags(signal: Audio) -> tuple[str, ...]:
    if signal.n_samples and float(np.max(np.abs(signal.samples))) < SILENCE_PEAK:
        return ("silent",)
    return ()


def _warn_about_flags(analysis: Analysis) -> None:
    """Warn the caller of the public functions (batch runs report flags instead)."""
    if analysis.damage is not None:
        warnings.warn(
            f"{analysis.source}: the file is damaged — {analysis.damage.describe()}; analysed what decodes "
            "(the analysis is flagged 'damaged')",
            DamagedAudioWarning,
            stacklevel=3,
        )
    if "silent" in analysis.flags:
        warnings.warn(
            f"{analysis.source}: the track is silent (peak below -80 dBFS); its tempo, key and form carry no "
            "information (the analysis is flagged 'silent')",
            SilentTrackWarning,
            stacklevel=3,
        )


def _check_results(
    ctx: TrackContext,
    config: Config,
    features: Features | None,
    tempo: TempoEstimate | None,
    key: KeyEstimate | None,
    segmentation: Segmentation | None,
    prediction: Prediction | None,
) -> None:
    """Backends must answer on the track's grid; a mismatch names the backend at fault."""
    n = ctx.grid.n_windows

    def fail(stage: str, problem: str) -> None:
        backend = config.backend(stage)
        raise PluginError(f"{stage} backend {backend!r} {problem}; this is a bug in that backend")

    if features is not None:
        if features.values.shape[0] != n:
            fail("features", f"returned {features.values.shape[0]} windows for a grid of {n}")
        if not np.isfinite(features.values).all():
            fail("features", "returned NaN or infinite feature values")
    if tempo is not None and len(tempo.window_bpm) != n:
        fail("tempo", f"returned {len(tempo.window_bpm)} window tempi for a grid of {n} windows")
    if key is not None and len(key.window_keys) != n:
        fail("key", f"returned {len(key.window_keys)} window keys for a grid of {n} windows")
    if segmentation is not None:
        segments = segmentation.segments
        if not segments or abs(segments[0].start) > 1e-3 or abs(segments[-1].end - ctx.duration) > 0.1:
            fail("segmenter", f"returned segments that do not cover [0, {ctx.duration:.2f}] s")
    if prediction is not None:
        for target, pred in prediction.targets.items():
            if pred.probabilities.shape[0] != n:
                got = pred.probabilities.shape[0]
                fail("classifier", f"returned {got} windows of {target!r} for a grid of {n}")
