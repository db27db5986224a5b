"""Fit a model's real-music adaptation from unlabelled real audio (``mirloop adapt``).

The source domain is the renders the model learnt from (a dataset folder's feature table), the
target domain the window features of real tracks, extracted with the model's own feature backend
and options. No label of the real tracks is read. The adapted model is a copy of the original
with an :class:`~mirloop.classify.adaptation.Adaptation` that classifier backends apply to input
of domain ``real`` (see docs/real-music.md).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
from attrs import evolve, frozen

from mirloop.classify.adaptation import Adaptation, fit_adaptation
from mirloop.classify.model import HierarchicalModel
from mirloop.errors import MirloopError, ModelError


@frozen
class AdaptationReport:
    """What ``adapt_model`` fitted and from what."""

    output: Path
    adaptation: Adaptation
    source_windows: int
    target_tracks: int
    target_windows: int
    failures: tuple[tuple[str, str], ...] = ()


def target_config(model: HierarchicalModel, config: Any = None) -> Any:
    """The analysis configuration that extracts the model's features and nothing else."""
    from mirloop.config import load_config

    base = load_config(config)
    return base.merged(
        {
            "features": {"backend": model.info.feature_backend or "librosa", **model.info.feature_options},
            "tempo": {"backend": "none"},
            "key": {"backend": "none"},
            "segmenter": {"backend": "none"},
            "classifier": {"backend": "none"},
        },
        "mirloop adapt",
    )


def source_rows(model: HierarchicalModel, data: str | os.PathLike[str]) -> np.ndarray:
    """The model's design matrix of the renders in dataset ``data`` (no adaptation)."""
    from mirloop.classify.feature_table import read_table, windows_from_table

    windows = windows_from_table(read_table(data), model.info.feature_names)
    return model.design_matrix(windows.values, windows.pca_input, domain="render")


def target_rows(
    model: HierarchicalModel,
    tracks: Iterable[Path],
    *,
    config: Any = None,
    on_track: Callable[[Path, str | None], None] = lambda track, error: None,
) -> tuple[np.ndarray, int, list[tuple[str, str]]]:
    """Design-matrix rows of every window of ``tracks`` (no adaptation), the number of tracks
    that gave rows, and ``(track, error)`` for those that failed (the others go on)."""
    from mirloop.pipelines.analyze import analyze

    resolved = target_config(model, config)
    rows: list[np.ndarray] = []
    failures: list[tuple[str, str]] = []
    for track in tracks:
        try:
            features = analyze(track, config=resolved).features
            if features is None:
                raise ModelError("the feature backend returned no features")
            model.check_features(features)
            rows.append(model.design_matrix(features.values, features.pca_input, domain="render"))
        except MirloopError as exc:
            failures.append((str(track), str(exc)))
            on_track(track, str(exc))
            continue
        on_track(track, None)
    if not rows:
        raise ModelError("no real-music track could be analysed; nothing to adapt the model to")
    return np.concatenate(rows), len(rows), failures


def adapt_model(
    model_dir: str | os.PathLike[str],
    tracks: Iterable[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    source: str | os.PathLike[str],
    method: str = "coral",
    shrinkage: float = 0.1,
    config: Any = None,
    on_track: Callable[[Path, str | None], None] = lambda track, error: None,
) -> AdaptationReport:
    """Copy the model at ``model_dir`` to ``output`` with an adaptation fitted on ``tracks``.

    ``source`` is a dataset folder (or its ``features.parquet``) of renders of the model's catalog;
    ``tracks`` are unlabelled real audio files or folders. ``output`` must differ from
    ``model_dir``; an existing model there is replaced atomically.
    """
    from mirloop.classify.storage import load_model, save_model
    from mirloop.pipelines.batch import find_tracks

    if Path(output).resolve() == Path(model_dir).resolve():
        raise ModelError("the adapted model must go to another folder than the model it adapts (-o)")
    model = load_model(model_dir)
    found = find_tracks(tracks)
    xs = source_rows(model, source)
    xt, n_tracks, failures = target_rows(model, found, config=config, on_track=on_track)
    names = sorted(str(t) for t in found)
    digest = hashlib.sha256("\n".join(names).encode()).hexdigest()[:12]
    adaptation = fit_adaptation(
        xs,
        xt,
        method=method,
        shrinkage=shrinkage,
        fitted_on=f"{n_tracks} real tracks ({len(xt)} windows, list sha256 {digest}); "
        f"{len(xs)} render windows of {Path(source).name}",
    )
    written = save_model(evolve(model, adaptation=adaptation), output)
    evaluation = Path(model_dir) / "evaluation"
    if evaluation.is_dir():  # the held-out render scores still hold: renders are not adapted
        shutil.copytree(evaluation, written / "evaluation", dirs_exist_ok=True)
    return AdaptationReport(written, adaptation, len(xs), n_tracks, len(xt), tuple(failures))
