"""Run every installed backend of a stage on every annotated file and score it."""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
from attrs import field, frozen

from mirloop.errors import ConfigError
from mirloop.evaluation.annotations import Truth, read_truth
from mirloop.evaluation.dataset import DatasetItem, find_items
from mirloop.evaluation.metrics import boundary_f, key_score, key_timeline_score, tempo_accuracy
from mirloop.stages import stage_record

if TYPE_CHECKING:
    from mirloop.plugins import Registry

#: The stages that can be compared, and the metric columns of each.
METRICS: dict[str, tuple[str, ...]] = {
    "tempo": ("acc1", "acc2"),
    "key": ("mirex", "mirex_time"),
    "segmenter": ("f_0.5s", "f_3s"),
}
#: The method each compared stage calls on a TrackContext (from the stage records).
_METHODS = {stage: record.method for stage in METRICS if (record := stage_record(stage)) is not None}


@frozen
class FileResult:
    """One backend on one file: scores (empty when it failed), its answer, time and any error."""

    backend: str
    file: str
    audio_seconds: float
    seconds: float = 0.0
    scores: dict[str, float] = field(factory=dict)
    estimate: str = ""
    reference: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


@frozen
class BackendSummary:
    """A backend's mean scores over the files it answered, failures, and its speed."""

    backend: str
    n_files: int
    n_failed: int
    scores: dict[str, float]
    seconds_per_minute: float


@frozen
class Comparison:
    """Every backend of ``stage`` on every file of ``dataset`` that has a reference for the stage."""

    stage: str
    dataset: str
    backends: tuple[str, ...]
    results: tuple[FileResult, ...]
    skipped: tuple[str, ...] = ()

    @property
    def metrics(self) -> tuple[str, ...]:
        return METRICS[self.stage]

    def summaries(self) -> list[BackendSummary]:
        """One summary per backend, in :attr:`backends` order.

        A failed file scores 0 on every metric its reference allows (a crash is not an answer),
        so each mean is over the files with a reference for that metric (``nan`` when none has
        one); the speed is over the files that finished.
        """
        out = []
        for backend in self.backends:
            rows = [r for r in self.results if r.backend == backend]
            done = [r for r in rows if r.ok]
            scores = {}
            for m in self.metrics:
                values = [r.scores[m] for r in rows if m in r.scores]
                scores[m] = float(np.mean(values)) if values else float("nan")
            audio_minutes = sum(r.audio_seconds for r in done) / 60.0
            speed = sum(r.seconds for r in done) / audio_minutes if audio_minutes > 0 else float("nan")
            out.append(BackendSummary(backend, len(rows), len(rows) - len(done), scores, speed))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "dataset": self.dataset,
            "metrics": list(self.metrics),
            "summary": [
                {"backend": s.backend, "files": s.n_files, "failed": s.n_failed, **s.scores,
                 "seconds_per_minute": s.seconds_per_minute}
                for s in self.summaries()
            ],
            "files": [
                {"backend": r.backend, "file": r.file, "reference": r.reference, "estimate": r.estimate,
                 **r.scores, "seconds": r.seconds, "audio_seconds": r.audio_seconds, "error": r.error}
                for r in self.results
            ],
            "skipped": list(self.skipped),
            "failed": [
                {"backend": r.backend, "file": r.file, "error": r.error} for r in self.results if not r.ok
            ],
        }


def compare_backends(
    dataset: str | os.PathLike[str],
    stage: str,
    *,
    backends: Sequence[str] | None = None,
    options: dict[str, dict[str, Any]] | None = None,
    progress: Callable[[str], None] | None = None,
    plugins: Registry | None = None,
) -> Comparison:
    """Run ``backends`` (default: every installed backend of ``stage``) on the annotated files.

    Each backend gets a fresh :class:`~mirloop.signal.TrackContext` per file, so no backend
    profits from representations another one computed, and the timing covers the backend
    alone (not decoding). A backend that raises on a file is recorded with the error and
    the batch goes on. ``options`` maps backend name to its options; ``plugins`` is the
    registry to use (default: the process-wide one).
    """
    from mirloop.io.audio import load_audio
    from mirloop.plugins import registry
    from mirloop.signal import TrackContext

    if stage not in METRICS:
        raise ConfigError(f"cannot compare stage {stage!r}; choose one of {', '.join(METRICS)}")
    reg = plugins if plugins is not None else registry()
    names = tuple(backends) if backends else tuple(reg.names(stage))
    infos = {name: reg.get(stage, name) for name in names}
    items = find_items(dataset)
    results: list[FileResult] = []
    skipped: list[str] = []
    for item in items:
        truth = read_truth(item.annotation)
        if stage not in truth.stages:
            skipped.append(item.name)
            continue
        audio = load_audio(item.audio)
        for name in names:
            if progress is not None:
                progress(f"{stage} {name} {item.name}")
            create = partial(infos[name].create, (options or {}).get(name))
            results.append(_run_one(name, create, stage, item, truth, TrackContext(audio), audio.duration))
    return Comparison(stage, str(dataset), names, tuple(results), tuple(skipped))


def _run_one(
    name: str,
    create: Callable[[], Any],
    stage: str,
    item: DatasetItem,
    truth: Truth,
    ctx: Any,
    duration: float,
) -> FileResult:
    reference = _describe_truth(stage, truth)
    started = time.perf_counter()
    try:
        backend = create()
        estimate = getattr(backend, _METHODS[stage])(ctx)
        elapsed = time.perf_counter() - started
        scores, answer = _score(stage, estimate, truth, ctx)
    except Exception as exc:  # one backend failing on one file must not stop the batch
        last = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        where = f" ({os.path.basename(last.filename)}:{last.lineno})" if last else ""
        return FileResult(name, item.name, duration, time.perf_counter() - started,
                          scores=dict.fromkeys(_applicable(stage, truth), 0.0),
                          reference=reference, error=f"{type(exc).__name__}: {exc}{where}")
    return FileResult(name, item.name, duration, elapsed, scores, answer, reference)


def _applicable(stage: str, truth: Truth) -> tuple[str, ...]:
    """The metrics of ``stage`` that ``truth`` has a reference for."""
    if stage == "key":
        return ("mirex",) * (truth.key is not None) + ("mirex_time",) * bool(truth.key_regions)
    return METRICS[stage]


def _score(stage: str, estimate: Any, truth: Truth, ctx: Any) -> tuple[dict[str, float], str]:
    if stage == "tempo":
        assert truth.tempo is not None
        acc1, acc2 = tempo_accuracy(float(estimate.bpm), truth.tempo)
        return {"acc1": acc1, "acc2": acc2}, f"{float(estimate.bpm):.1f}"
    if stage == "key":
        scores = {}
        if truth.key is not None:
            scores["mirex"] = key_score(estimate.key, truth.key)
        if truth.key_regions:
            centers = ctx.grid.centers
            scores["mirex_time"] = key_timeline_score(estimate.window_keys, centers, truth.key_regions)
        modulating = len(truth.key_regions) > 1
        return scores, _describe_window_keys(estimate, ctx) if modulating else str(estimate.key)
    assert truth.intervals is not None
    intervals = estimate.intervals
    answer = " ".join(f"{b:.1f}" for b in estimate.boundaries)
    return ({"f_0.5s": boundary_f(intervals, truth.intervals, 0.5),
             "f_3s": boundary_f(intervals, truth.intervals, 3.0)}, answer)


def _describe_window_keys(estimate: Any, ctx: Any) -> str:
    """The track's key, then each run of equal window keys as ``key@start`` (s, window centres)."""
    keys, centers = estimate.window_keys, ctx.grid.centers
    runs = [f"{key}@{center:.0f}" for i, (key, center) in enumerate(zip(keys, centers))
            if i == 0 or key != keys[i - 1]]
    return f"{estimate.key} ({' '.join(runs)})"


def _describe_truth(stage: str, truth: Truth) -> str:
    if stage == "tempo":
        return f"{truth.tempo:.1f}"
    if stage == "key":
        if len(truth.key_regions) > 1:
            return " ".join(f"{key}@{start:.0f}" for start, _, key in truth.key_regions)
        return str(truth.key)
    assert truth.intervals is not None
    return " ".join(f"{b:.1f}" for b in truth.intervals[1:, 0]) or "—"
