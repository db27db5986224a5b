"""Does an input sound like a General MIDI render or like a real recording? The ``fused`` classifier's gate.

The descriptor model behind the ``fused`` classifier was trained on mirloop's renders: it hears
renders of scores well and real recordings poorly, while the musicnn tagger does the reverse. A
logistic regression on the log of a track's mean musicnn tag probabilities tells the two domains
apart, so the fused classifier can lean on the model only where the input is render-like.

It is fitted from audio alone, never from a genre label: the positive class is the windows of
a dataset of mirloop renders (their ``musicnn`` features, one mean per render), the negative
class the middle minute of unlabelled real recordings (``mirloop-musicnn detector``). The plugin
ships one fitted on 454 renders of the catalog and the 258 unlabelled recordings of mirloop's
real-music development set (``data/render_detector.toml``).
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from attrs import frozen
from mirloop.errors import ConfigError, MirloopError

from mirloop_musicnn.tags import PREFIXES, VOCABULARY, slug
from mirloop_musicnn.toml_files import toml_string, write_toml_lines

#: The detector shipped with the plugin.
DEFAULT_DETECTOR = Path(__file__).parent / "data" / "render_detector.toml"
#: Tag probabilities are floored here before their logarithm.
FLOOR = 1e-4
#: Inverse regularisation strength of the fit (scikit-learn's ``C``).
REGULARISATION = 1.0
#: The feature columns the detector reads, in order: every MTT tag, then every MSD tag.
COLUMNS: tuple[str, ...] = tuple(PREFIXES[g] + slug(t) for g, tags in VOCABULARY.items() for t in tags)


@frozen(eq=False)
class RenderDetector:
    """``P(render) = sigmoid(intercept + coefficients · log max(mean tag probability, floor))``."""

    #: ``(100,)``: MTT tags, then MSD tags, in the models' order.
    coefficients: np.ndarray
    intercept: float
    threshold: float
    source: str = ""
    path: Path | None = None

    def probability(self, tag_probabilities: np.ndarray) -> float:
        """How render-like a track is, from its windows' tag probabilities ``(n, 100)`` (or their mean)."""
        values = np.asarray(tag_probabilities, dtype=np.float64)
        mean = values.mean(axis=0) if values.ndim == 2 else values
        if mean.shape != self.coefficients.shape:
            raise ConfigError(
                f"the render detector reads {self.coefficients.size} tag columns, got {mean.shape}"
            )
        logit = self.intercept + float(np.log(np.clip(mean, FLOOR, 1.0)) @ self.coefficients)
        return 1.0 / (1.0 + math.exp(-min(max(logit, -500.0), 500.0)))

    def is_render(self, tag_probabilities: np.ndarray) -> bool:
        return self.probability(tag_probabilities) >= self.threshold


def load_render_detector(path: str | os.PathLike[str] | None = None) -> RenderDetector:
    """Read and check a detector file: a coefficient for every MTT and MSD tag, an intercept, a threshold."""
    source = Path(path).expanduser() if path else DEFAULT_DETECTOR
    fix = (f"write one with `mirloop-musicnn detector` (see {DEFAULT_DETECTOR.name} shipped with "
           "mirloop-musicnn)")
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the render detector {source}: {exc}; {fix}") from exc
    if data.get("format") != 1:
        raise ConfigError(f"the render detector {source} needs `format = 1`; {fix}")
    for key, low, high in (("intercept", -math.inf, math.inf), ("threshold", 0.0, 1.0)):
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low < value < high:
            raise ConfigError(f"the render detector {source}: `{key}` must be a number"
                              f"{' in (0, 1)' if key == 'threshold' else ''}, got {value!r}; {fix}")
    coefficients: list[float] = []
    for group, vocabulary in VOCABULARY.items():
        given = data.get(group)
        if not isinstance(given, dict) or sorted(given) != sorted(vocabulary):
            missing = sorted(set(vocabulary) - set(given or {}))[:3]
            extra = sorted(set(given or {}) - set(vocabulary))[:3]
            raise ConfigError(f"the render detector {source} must give a coefficient for every "
                              f"{group.upper()} tag and no other (missing e.g. {missing}, unknown {extra}); "
                              f"{fix}")
        bad = [t for t, v in given.items() if isinstance(v, bool) or not isinstance(v, int | float)
               or not math.isfinite(v)]
        if bad:
            raise ConfigError(f"the render detector {source}: {group} tag {bad[0]!r} needs a finite number, "
                              f"got {given[bad[0]]!r}; {fix}")
        coefficients += [float(given[tag]) for tag in vocabulary]
    return RenderDetector(coefficients=np.array(coefficients), intercept=float(data["intercept"]),
                          threshold=float(data["threshold"]), source=str(data.get("source", "")), path=source)


def tag_matrix(values: np.ndarray, names: Sequence[str], *, what: str) -> np.ndarray:
    """The :data:`COLUMNS` of a feature matrix, in order; refuses features that lack some."""
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise ConfigError(f"the render detector reads every musicnn tag column, but {what} lacks "
                          f"{missing[:3]}{' …' if len(missing) > 3 else ''}; extract the features with "
                          "--use features=musicnn and its mtt and msd groups on")
    index = [list(names).index(c) for c in COLUMNS]
    return np.asarray(values, dtype=np.float64)[:, index]


def render_means(dataset: str | os.PathLike[str]) -> np.ndarray:
    """Each render's mean tag probabilities ``(n_renders, 100)`` from a dataset's ``musicnn`` features."""
    import pandas as pd

    path = Path(dataset) / "features.parquet"
    try:
        table = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the renders' features {path}: {exc}; make them with "
                          "`mirloop dataset features DATA/ -o OUT/ --use features=musicnn`") from exc
    if "render_id" not in table.columns:
        raise ConfigError(f"{path} has no render_id column: not the features of a mirloop dataset")
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        more = " …" if len(missing) > 3 else ""
        raise ConfigError(f"{path} lacks the musicnn tag columns {missing[:3]}{more}; "
                          "make the features with `--use features=musicnn` and its mtt and msd groups on")
    return table.groupby("render_id", sort=True)[list(COLUMNS)].mean().to_numpy(dtype=np.float64)


def recording_means(
    paths: Sequence[str | os.PathLike[str]],
    *,
    weights: str | None = None,
    progress: Callable[[int, int, str, str | None], None] | None = None,
) -> np.ndarray:
    """Each recording's mean tag probabilities over its middle minute ``(n_read, 100)``; a file that
    cannot be read is skipped and reported through ``progress(i, n, path, error)``."""
    from mirloop_musicnn.tag_prior import track_tag_means

    rows = []
    for i, path in enumerate(paths):
        error = None
        try:
            means = track_tag_means(path, weights=weights, models=("MTT_musicnn", "MSD_musicnn"))
        except MirloopError as exc:
            error = str(exc)
        else:
            rows.append(np.concatenate([means["MTT_musicnn"], means["MSD_musicnn"]]))
        if progress is not None:
            progress(i + 1, len(paths), str(path), error)
    if not rows:
        raise ConfigError(f"no recording could be read for the render detector (of {len(paths)})")
    return np.stack(rows)


def fit_render_detector(renders: np.ndarray, recordings: np.ndarray, *, source: str,
                        threshold: float = 0.5) -> RenderDetector:
    """An L2-regularised logistic regression of render (1) against recording (0) on log tag probabilities."""
    from sklearn.linear_model import LogisticRegression

    if len(renders) < 2 or len(recordings) < 2:
        raise ConfigError(f"the render detector needs at least two renders and two recordings, "
                          f"got {len(renders)} and {len(recordings)}")
    x = np.log(np.clip(np.vstack([renders, recordings]), FLOOR, 1.0))
    y = np.r_[np.ones(len(renders)), np.zeros(len(recordings))]
    fit = LogisticRegression(C=REGULARISATION, max_iter=5000).fit(x, y)
    return RenderDetector(coefficients=fit.coef_[0].astype(np.float64), intercept=float(fit.intercept_[0]),
                          threshold=threshold, source=source)


def write_render_detector(detector: RenderDetector, path: str | os.PathLike[str]) -> Path:
    """Write ``detector`` as TOML, atomically."""
    target = Path(path)
    lines = [
        "# P(render) = sigmoid(intercept + sum over tags of coefficient · log max(mean p(tag), 1e-4)),",
        "# the mean over a track's windows. Written by `mirloop-musicnn detector`; do not edit.",
        "format = 1",
        f"source = {toml_string(detector.source)}",
        f"intercept = {detector.intercept:.6g}",
        f"threshold = {detector.threshold:g}",
    ]
    start = 0
    for group, vocabulary in VOCABULARY.items():
        lines += ["", f"[{group}]"]
        coefficients = detector.coefficients[start : start + len(vocabulary)]
        lines += [f"{toml_string(tag)} = {c:.6g}" for tag, c in zip(vocabulary, coefficients, strict=True)]
        start += len(vocabulary)
    return write_toml_lines(target, lines)

