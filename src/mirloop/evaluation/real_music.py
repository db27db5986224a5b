"""Scoring a classifier on a labelled real-music manifest (``mirloop evaluate-real``).

Every labelled track of the manifest (:mod:`mirloop.evaluation.real_manifest`) is analysed with
the given configuration — features and classifier; tempo, key and form are best switched off, as
``mirloop classify`` does — and its track-level genre (the argmax of the mean window
probabilities, ``unknown`` below the model's threshold) is scored against its coarse label
(:mod:`mirloop.evaluation.real_scores`). A file that cannot be read or analysed is reported and
the others go on.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from attrs import frozen

from mirloop.config import Config
from mirloop.errors import AudioError, ConfigError, MirloopError
from mirloop.evaluation.coarse_genres import CoarseGenres
from mirloop.evaluation.real_manifest import Manifest, ManifestTrack
from mirloop.evaluation.real_scores import DEFAULT_BOOTSTRAP, RealMusicScores, score_predictions
from mirloop.io.atomic import write_text

#: Genres listed per track in ``tracks.csv``.
TOP_GENRES = 3
#: Files :meth:`RealMusicEvaluation.save` writes.
OUTPUT_FILES = ("summary.json", "tracks.csv", "confusion.csv", "confusion.png")


@frozen
class TrackResult:
    """The classifier's answer on one track, or the ``error`` that stopped its analysis.

    ``genre`` is the track-level genre (possibly ``unknown``), ``genre_probability`` the mean
    window probability of the most probable genre, ``top_genres`` the :data:`TOP_GENRES` most
    probable genres with their mean probabilities, ``descriptor`` the track-level descriptor
    (empty when the classifier has no descriptor target).
    """

    track: ManifestTrack
    genre: str = ""
    genre_probability: float = math.nan
    top_genres: tuple[tuple[str, float], ...] = ()
    descriptor: str = ""
    seconds: float = 0.0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def predict_track(track: ManifestTrack, config: Config) -> TrackResult:
    """Analyse one track with ``config`` (already validated); failures become the result's ``error``."""
    from mirloop.pipelines.analyze import analyze_file

    started = time.perf_counter()
    try:
        if not track.audio.is_file():
            raise AudioError(f"{track.audio} does not exist; fix the path in the manifest or --root")
        prediction = analyze_file(track.audio, config=config).analysis.prediction
        if prediction is None or "genre" not in prediction.targets:
            raise ConfigError(
                f"the classifier {config.backend('classifier')!r} gives no genre; choose one that does"
            )
    except MirloopError as exc:
        return TrackResult(track, seconds=time.perf_counter() - started, error=str(exc))
    except Exception as exc:  # a backend bug must not stop the evaluation; keep where it happened
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return TrackResult(
            track,
            seconds=time.perf_counter() - started,
            error=f"unexpected {type(exc).__name__}: {exc} (at {Path(where.filename).name}:{where.lineno})",
        )
    genre = prediction.targets["genre"]
    mean = genre.track_probabilities()
    order = np.argsort(mean)[::-1][:TOP_GENRES]
    descriptor = prediction.targets.get("descriptor")
    return TrackResult(
        track,
        genre=genre.track_label,
        genre_probability=float(mean[order[0]]),
        top_genres=tuple((genre.classes[i], round(float(mean[i]), 4)) for i in order),
        descriptor="" if descriptor is None else descriptor.track_label,
        seconds=time.perf_counter() - started,
    )


def predict_tracks(
    tracks: Sequence[ManifestTrack],
    config: Config,
    *,
    workers: int = 1,
    on_result: Callable[[TrackResult], None] | None = None,
) -> list[TrackResult]:
    """:func:`predict_track` on every track (``workers`` processes); results in ``tracks`` order,
    ``on_result`` called with each as it is done."""
    results: dict[int, TrackResult] = {}

    def done(index: int, result: TrackResult) -> None:
        results[index] = result
        if on_result is not None:
            on_result(result)

    if workers <= 1 or len(tracks) <= 1:
        for index, track in enumerate(tracks):
            done(index, predict_track(track, config))
    else:  # a worker that dies costs its track only (after one retry); Ctrl-C stops the workers at once
        from mirloop.parallel import WorkerLost, run_jobs

        calls = [(track, config) for track in tracks]
        for index, outcome in run_jobs(predict_track, calls, workers=min(workers, len(tracks))):
            lost = isinstance(outcome, WorkerLost)
            done(index, TrackResult(tracks[index], error=outcome.error) if lost else outcome)
    return [results[i] for i in range(len(tracks))]


@frozen(eq=False)
class RealMusicEvaluation:
    """The results of every selected track, their scores (over the tracks that were analysed) and
    what produced them (``setup``: manifest, backends, model, filters)."""

    results: tuple[TrackResult, ...]
    scores: RealMusicScores
    coarse: CoarseGenres
    setup: dict[str, Any]

    @property
    def failures(self) -> tuple[TrackResult, ...]:
        return tuple(r for r in self.results if not r.ok)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.setup,
            "n_selected": len(self.results),
            "n_scored": len(self.results) - len(self.failures),
            "n_failed": len(self.failures),
            "failures": [
                {"track_id": r.track.track_id, "path": str(r.track.audio), "error": r.error}
                for r in self.failures
            ],
            **self.scores.to_dict(),
            "mapping": {label: list(genres) for label, genres in self.coarse.accepted.items()},
            "mapping_file": self.coarse.source,
        }

    def tracks_csv(self) -> str:
        """One row per selected track: its label, group and kind, the answer and whether it agrees."""
        buffer = io.StringIO()
        top = [c for i in range(1, TOP_GENRES + 1) for c in (f"genre_{i}", f"probability_{i}")]
        fields = [
            "track_id",
            "coarse_label",
            "group",
            "kind",
            "label_basis",
            "predicted_genre",
            "genre_probability",
            *top,
            "predicted_descriptor",
            "agreed",
            "error",
        ]
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for r in self.results:
            row: dict[str, Any] = {
                "track_id": r.track.track_id,
                "coarse_label": r.track.coarse_label,
                "group": r.track.group,
                "kind": r.track.kind,
                "label_basis": r.track.label_basis,
                "error": r.error,
            }
            if r.ok:
                row |= {
                    "predicted_genre": r.genre,
                    "genre_probability": f"{r.genre_probability:.4f}",
                    "predicted_descriptor": r.descriptor,
                    "agreed": "yes" if self.coarse.agrees(r.track.coarse_label, r.genre) else "no",
                }
                for i, (name, p) in enumerate(r.top_genres, start=1):
                    row |= {f"genre_{i}": name, f"probability_{i}": f"{p:.4f}"}
            writer.writerow(row)
        return buffer.getvalue()

    def confusion_csv(self) -> str:
        """Coarse label (rows) × predicted genre (columns, ``unknown`` last), track counts."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["coarse_label", *self.scores.columns])
        for label, counts in zip(self.scores.rows, self.scores.confusion):
            writer.writerow([label, *(int(c) for c in counts)])
        return buffer.getvalue()

    def save(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Write :data:`OUTPUT_FILES` into ``folder`` (each atomically); their paths."""
        from mirloop.plots.confusion import save_coarse_confusion

        out = Path(folder)
        written = [
            write_text(out / "summary.json", json.dumps(self.to_dict(), indent=1)),
            write_text(out / "tracks.csv", self.tracks_csv()),
            write_text(out / "confusion.csv", self.confusion_csv()),
        ]
        accepted = {label: self.coarse.accepted[label] for label in self.scores.rows}
        title = f"agreement {self.scores.overall.agreed}/{self.scores.overall.n}"
        written.append(
            save_coarse_confusion(
                self.scores.confusion,
                self.scores.rows,
                self.scores.columns,
                accepted,
                out / "confusion.png",
                title=title,
            )
        )
        return written


def evaluate_real(
    manifest: Manifest,
    config: Config,
    *,
    coarse: CoarseGenres,
    kinds: tuple[str, ...] = (),
    labels: tuple[str, ...] = (),
    bases: tuple[str, ...] = (),
    n_boot: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    workers: int = 1,
    model: str | None = None,
    on_result: Callable[[TrackResult], None] | None = None,
) -> RealMusicEvaluation:
    """Analyse the manifest's labelled tracks of ``kinds``, ``labels`` and label ``bases`` (empty:
    all) and score them.

    ``config`` names the feature and classifier backends (validated here, before any audio is
    read); ``model`` is recorded in the summary.
    """
    from mirloop.catalog import load_catalog
    from mirloop.classify.setup import resolved_feature_options
    from mirloop.errors import DatasetError
    from mirloop.pipelines.analyze import resolve_analysis_config

    resolved = resolve_analysis_config(config)
    if bases and not any(t.label_basis for t in manifest.labelled):
        raise DatasetError(
            f"{manifest.path} has no label_basis column (or leaves it empty); drop --basis, or add the "
            "column after the contract's with named or context for each labelled track"
        )
    selected = manifest.select(kinds=kinds, labels=labels, bases=bases)
    if not selected:
        raise DatasetError(
            f"{manifest.path} has no labelled track"
            + (f" of kind {', '.join(kinds)}" if kinds else "")
            + (f" with label {', '.join(labels)}" if labels else "")
            + (f" with label basis {', '.join(bases)}" if bases else "")
            + "; label tracks in its coarse_label column or widen --kinds/--labels/--basis"
        )
    results = predict_tracks(selected, resolved, workers=workers, on_result=on_result)
    scored = [r for r in results if r.ok]
    scores = score_predictions(
        [r.track.coarse_label for r in scored],
        [r.genre for r in scored],
        coarse=coarse,
        kinds=[r.track.kind for r in scored],
        bases=[r.track.label_basis for r in scored],
        descriptors=[r.descriptor for r in scored],
        catalog_genres=load_catalog().genres(),
        n_boot=n_boot,
        seed=seed,
    )
    setup = {
        "manifest": str(manifest.path),
        "audio_root": str(manifest.root),
        "backends": {stage: resolved.backend(stage) for stage in ("separator", "features", "classifier")},
        "feature_options": resolved_feature_options(resolved),
        "model": model,
        "kinds": list(kinds),
        "labels": list(labels),
        "bases": list(bases),
        "n_unlabelled": len(manifest.tracks) - len(manifest.labelled),
        "analysis_seconds": round(sum(r.seconds for r in results), 3),
    }
    return RealMusicEvaluation(tuple(results), scores, coarse, setup)
