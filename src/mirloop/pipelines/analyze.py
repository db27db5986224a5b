"""Analyse one track: load → (separate) → shared context → tempo, features, key, form → classify
→ the stages plugins add.

Each stage is served by the backend the configuration names (``none`` skips it); every backend
call is timed and traced with :func:`mirloop.plugins.trace`. The tempo stage runs first and its
result becomes the context's tempo (:meth:`TrackContext.use_tempo
<mirloop.signal.TrackContext.use_tempo>`), so the features' ``tempo`` column and the
segmenter's beats follow the configured tempo backend. A stage that is not built in and
whose record says ``analysis`` runs after the built-in ones, on the same
:class:`~mirloop.signal.TrackContext`; its result lands in :attr:`Analysis.extra
<mirloop.types.Analysis.extra>`. The configuration is resolved and
validated before any audio is read, so a misspelt backend or option fails at once.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Mapping
from operator import methodcaller
from typing import Any, TypeVar

import numpy as np
from attrs import frozen

from mirloop.config import Config, load_config
from mirloop.errors import ConfigError, PluginError
from mirloop.plugins import BackendInfo, registry, trace
from mirloop.signal import ANALYSIS_SR, TrackContext, sample_file
from mirloop.signal.quiet import near_silent_spans
from mirloop.stage_results import coverage_problem
from mirloop.stages import BUILTIN_STAGES, added_stage_records, result_problem, stage_records
from mirloop.types import (
    Analysis,
    Audio,
    Features,
    Grid,
    Segmentation,
)
from mirloop.types.grid import WINDOW_SECONDS
from mirloop.types.stage_output import output_problem

#: The built-in stages an analysis runs, in order (their records say ``analysis``).
ANALYSIS_STAGES: tuple[str, ...] = tuple(stage.name for stage in BUILTIN_STAGES if stage.analysis)
#: Peak amplitude below which a track counts as digital silence (-80 dBFS).
SILENCE_PEAK = 1e-4
#: Sample rate (Hz) handed to a separator that does not declare its own ``sample_rate``.
SEPARATOR_SR = 44100

ConfigLike = Config | Mapping[str, Any] | str | os.PathLike[str] | None
T = TypeVar("T")


class SilentTrackWarning(UserWarning):
    """The track is digital silence; its analysis is flagged ``silent``."""


class ShortTrackWarning(UserWarning):
    """The track is shorter than one analysis window; its analysis is flagged ``short``."""


class DamagedAudioWarning(UserWarning):
    """The file decoded only in part; its analysis is flagged ``damaged`` and carries the damage."""


@frozen(eq=False)
class AnalysisRun:
    """An :class:`~mirloop.types.Analysis` with the track context it was computed on (for figures)."""

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
    for stage in (record.name for record in stage_records() if record.analysis):
        conf = config.stage(stage)
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


#: Makes the backend of a stage: ``create(stage, name, options)`` (default: a new one per call).
BackendFactory = Callable[[str, str, dict[str, Any]], Any]


def analyze_file(
    path: str | os.PathLike[str],
    *,
    config: Config,
    on_stage: Callable[[str], None] | None = None,
    create: BackendFactory | None = None,
) -> AnalysisRun:
    """Load ``path`` (at the separator's rate when one is configured) and analyse it
    (``on_stage`` and ``create`` as in :func:`analyze_samples`)."""
    from mirloop.io.audio import load_audio

    started = time.perf_counter()
    if config.backend("separator") == "none":
        audio = load_audio(path, sr=ANALYSIS_SR, mono=True)
    else:
        audio = load_audio(path, sr=_separator_rate(config), mono=False)
    loaded = time.perf_counter() - started
    return analyze_samples(audio, config=config, load_seconds=loaded, on_stage=on_stage, create=create)


def analyze_samples(
    audio: Audio,
    *,
    config: Config,
    load_seconds: float | None = None,
    on_stage: Callable[[str], None] | None = None,
    create: BackendFactory | None = None,
) -> AnalysisRun:
    """Run every configured stage on ``audio`` (``config`` already validated).

    ``on_stage(stage)`` is called as each configured stage (one of :data:`ANALYSIS_STAGES`, tempo
    before features, or a stage a plugin adds) starts, e.g. to show progress; stages switched
    off (``none``) are not announced. ``create`` makes each stage's backend (e.g.
    :func:`mirloop.executors.state.cached_backend`, which a worker process reuses from track to
    track; default: a new one per call).
    """
    reg = registry()
    make = create or reg.create
    source = audio.source or "<memory>"
    started = time.perf_counter()
    timings: dict[str, float] = {} if load_seconds is None else {"load": load_seconds}
    backends: dict[str, str] = {}

    methods = {record.name: record.method for record in stage_records()}

    def run(stage: str, call: Callable[[Any], T]) -> T | None:
        name = config.backend(stage)
        if name == "none":
            return None
        backend = make(stage, name, config.options(stage))
        if on_stage is not None:
            on_stage(stage)
        stage_started = time.perf_counter()
        with trace(stage, name, methods[stage]):
            result = call(backend)
        timings[stage] = time.perf_counter() - stage_started
        _check_result_type(stage, reg.get(stage, name), result, grid)
        backends[stage] = reg.get(stage, name).name
        return result

    damage = audio.damage
    grid: Grid | None = None  # the separator runs before the track's grid exists
    separated = run("separator", lambda backend: backend.separate(audio))
    if separated is not None:
        audio = _accompaniment(separated, config.backend("separator"))
    signal = _analysis_signal(audio)
    flags = _input_flags(signal) + (("damaged",) if damage is not None else ())
    near_silent = () if "silent" in flags else near_silent_spans(signal.samples, signal.sr)
    if near_silent:
        flags += ("near-silent",)
    ctx = TrackContext(signal)
    grid = ctx.grid
    tempo = run("tempo", lambda backend: backend.estimate_tempo(ctx))
    if tempo is not None:  # the features' tempo column and the segmenter's beats read it
        ctx.use_tempo(tempo)
    features = run("features", lambda backend: backend.extract(ctx))
    key = run("key", lambda backend: backend.estimate_key(ctx))
    segmentation = run("segmenter", lambda backend: backend.segment(ctx))
    prediction = None
    if features is not None:
        prediction = run("classifier", lambda backend: backend.predict(features))
    extra: dict[str, Any] = {}
    for record in (record for record in added_stage_records() if record.analysis):
        result = run(record.name, methodcaller(record.method, ctx))
        if result is not None:
            extra[record.name] = result
    _check_results(ctx, config, features, segmentation)
    timings["total"] = time.perf_counter() - started + (load_seconds or 0.0)
    order = ("load", *methods, "total")  # the stages' own order, although the tempo ran first
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
        backends={stage: backends[stage] for stage in order if stage in backends},
        timings={step: timings[step] for step in order if step in timings},
        flags=flags,
        damage=damage,
        near_silent=near_silent,
        extra=extra,
    )
    return AnalysisRun(analysis, ctx)


def _check_result_type(stage: str, info: BackendInfo, result: Any, grid: Grid | None) -> None:
    """The type and shapes of a stage's result, as it returns (cheap: no pass over the values)."""
    problem = result_problem(stage, result, grid=grid)
    if problem is None and stage not in ANALYSIS_STAGES:  # an added stage's result must be writable
        problem = output_problem(result)
    if problem is not None:
        raise PluginError(
            f"{stage} backend {info.name!r} from {info.origin} ({info.module}) broke the {stage} contract: "
            f"{problem}; this is a bug in that backend, which `mirloop.testing.check_backend("
            f"{stage!r}, {info.name!r})` reproduces"
        )


def _separator_rate(config: Config) -> int:
    cls = registry().get("separator", config.backend("separator")).cls
    return int(getattr(cls, "sample_rate", SEPARATOR_SR))


def _accompaniment(stems: Mapping[str, Audio], backend: str) -> Audio:
    if "accompaniment" not in stems:
        raise PluginError(f"separator {backend!r} returned stems {sorted(stems)} without 'accompaniment'; "
                          "the separator protocol requires it")
    return stems["accompaniment"]


def _analysis_signal(audio: Audio) -> Audio:
    """Mono float32 at the analysis rate (resampled in one go: in-memory input is already in memory;
    a separator's long output in a mapped file is read a block at a time into another)."""
    if sample_file.is_spilled(audio.samples) and (audio.samples.ndim == 2 or audio.sr != ANALYSIS_SR):
        return _spilled_analysis_signal(audio)
    mono = audio.mono()
    if mono.sr == ANALYSIS_SR:
        return mono
    import soxr

    samples = soxr.resample(mono.samples, mono.sr, ANALYSIS_SR, quality="HQ")
    return Audio(np.asarray(samples, dtype=np.float32), ANALYSIS_SR, audio.source)


def _spilled_analysis_signal(audio: Audio, *, block: int = sample_file.BLOCK_SAMPLES) -> Audio:
    """:func:`_analysis_signal` of samples in a mapped temporary file, into another: the mean of
    the channels a block at a time (the values of ``Audio.mono``), resampled by a soxr stream
    (whose output does not depend on how its input is cut), the input released behind."""
    import soxr

    samples = audio.samples
    out = sample_file.SpilledSamples(1)
    stream = None if audio.sr == ANALYSIS_SR else soxr.ResampleStream(
        audio.sr, ANALYSIS_SR, 1, dtype="float32", quality="HQ"
    )
    for start in range(0, samples.shape[-1], block):
        chunk = samples[..., start : start + block]
        mono = chunk.mean(axis=0) if chunk.ndim == 2 else np.array(chunk, dtype=np.float32)
        out.append(mono if stream is None else stream.resample_chunk(mono, last=False))
        sample_file.release_before(samples, start + block)
    if stream is not None:
        out.append(stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True))
    return Audio(out.result(), ANALYSIS_SR, audio.source, audio.damage if audio.sr == ANALYSIS_SR else None)


def _input_flags(signal: Audio) -> tuple[str, ...]:
    """``silent`` (peak around any DC offset below :data:`SILENCE_PEAK`: a constant offset is
    silence too), ``short`` (less than one analysis window)."""
    flags: tuple[str, ...] = ()
    if signal.n_samples and sample_file.swing(signal.samples) < SILENCE_PEAK:
        flags += ("silent",)
    if signal.n_samples < WINDOW_SECONDS * signal.sr:
        flags += ("short",)
    return flags


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
            f"{analysis.source}: the track is silent (peak below -80 dBFS around any DC offset); its tempo, "
            "key and form carry no information (the analysis is flagged 'silent')",
            SilentTrackWarning,
            stacklevel=3,
        )
    if "short" in analysis.flags:
        warnings.warn(
            f"{analysis.source}: the track lasts {analysis.duration:.2f} s, less than one "
            f"{WINDOW_SECONDS:g}-s analysis window; its tempo, key and labels rest on that little audio "
            "(the analysis is flagged 'short')",
            ShortTrackWarning,
            stacklevel=3,
        )


def _check_results(
    ctx: TrackContext,
    config: Config,
    features: Features | None,
    segmentation: Segmentation | None,
) -> None:
    """Values the type check at return does not look at; a problem names the backend at fault.

    The result types and their shapes on the grid were checked as each stage returned
    (:func:`_check_result_type`).
    """

    def fail(stage: str, problem: str) -> None:
        backend = config.backend(stage)
        raise PluginError(f"{stage} backend {backend!r} {problem}; this is a bug in that backend")

    if features is not None and not np.isfinite(features.values).all():
        fail("features", "returned NaN or infinite feature values")
    if segmentation is not None:
        coverage = coverage_problem(segmentation.segments, ctx.duration)
        if coverage is not None:
            fail("segmenter", f"returned segments that do not cover [0, {ctx.duration:.2f}] s ({coverage})")
