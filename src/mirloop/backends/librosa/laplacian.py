"""Laplacian structural segmentation (McFee & Ellis, ISMIR 2014).

B. McFee and D. P. W. Ellis, "Analyzing song structure with spectral clustering", ISMIR 2014.
Beat-synchronous CQT frames are linked to their mutual nearest neighbours (repetition;
:func:`mirloop.signal.recurrence.recurrence_affinity`, librosa's recurrence graph), consecutive
beats are linked by MFCC similarity (local continuity); the two graphs are balanced so that
each contributes equally to the node degrees, and the low eigenvectors of the normalised
Laplacian of their sum embed the beats so that k-means separates section types.
"""

from __future__ import annotations

import string
from typing import ClassVar

import numpy as np

from mirloop.signal import TrackContext
from mirloop.signal.beatsync import BeatUnits
from mirloop.signal.recurrence import recurrence_affinity
from mirloop.stages import Backend, Option
from mirloop.types import WINDOW_SECONDS, Segment, Segmentation


class LaplacianSegmenter(Backend):
    """Sections and section types by spectral clustering of a beat-level affinity graph.

    The number of section types ``k`` is chosen automatically by the eigengap of the
    normalised Laplacian among ``1 … k_max``, where ``k_max = min(max_types, 2 + duration / 30 s)``
    grows with the track length; when the resulting clusters are not distinct in timbre (MFCC
    silhouette below ``min_silhouette``, as for steady noise or a looped drum pattern), the
    track is one section; so is a track whose beats all sound the same to the CQT (silence or
    dither-level noise under its -100 dB floor). Segments shorter than ``min_segment``
    seconds are merged into the more similar neighbour (by mean MFCCs).

    Labels: section types are lettered ``A``, ``B``, ``C``… in order of first appearance; the
    second occurrence of a type is primed (``A'``), the third double-primed (``A''``) and so
    on, so ``A B A' C A''`` reads "A returns twice, with B and C in between". A clip shorter
    than one analysis window (10 s) gets a single segment ``A``.

    The beats are the context's (:attr:`TrackContext.beats <mirloop.signal.TrackContext.beats>`):
    in an analysis, those of the configured tempo backend when it gives beats.
    """

    name: ClassVar[str] = "laplacian"
    stage: ClassVar[str] = "segmenter"
    summary: ClassVar[str] = "McFee & Ellis (2014) spectral clustering of beat-synchronous CQT/MFCC graphs"
    options: ClassVar[dict[str, Option]] = {
        "max_types": Option(8, int, "upper bound on the number of section types (also limited by duration)"),
        "min_segment": Option(
            6.0, float, "shortest segment kept, seconds; shorter ones merge into a neighbour"
        ),
        "seconds_per_type": Option(30.0, float, "track seconds per allowed extra section type"),
        "min_silhouette": Option(
            0.05, float, "below this MFCC silhouette of the clustering the track is one homogeneous section"
        ),
        "rec_width": Option(3, int, "recurrence links closer than this many beats are ignored"),
        "median_size": Option(9, int, "beats of median filtering along the eigenvectors"),
    }

    def segment(self, ctx: TrackContext) -> Segmentation:
        duration = ctx.duration
        if duration < WINDOW_SECONDS:
            return _single(duration)
        units = ctx.beat_units
        if units.n < 4 * self.opts["rec_width"] or ctx.frames.rms.max() <= 0:
            return _single(duration)
        k_max = int(min(self.opts["max_types"], 2 + duration // self.opts["seconds_per_type"]))
        try:
            embedding, eigenvalues = self._embedding(units, k_max)
        except _NoRepetitionGraph:  # near-silence: every beat sounds the same, nothing to cluster
            return _single(duration)
        k = _eigengap_k(eigenvalues, k_max)
        labels = _cluster(embedding, k)
        if k > 1 and _silhouette(units.mfcc.T, labels) < self.opts["min_silhouette"]:
            return _single(duration)  # the "sections" are not distinct in timbre: one homogeneous part
        segments = _merge_short(_runs(labels, units.bounds), units, self.opts["min_segment"])
        return _labelled(segments, method="laplacian")

    def _embedding(self, units: BeatUnits, k_max: int) -> tuple[np.ndarray, np.ndarray]:
        """Median-filtered Laplacian eigenvectors ``(n, k_max + 1)`` and their eigenvalues."""
        import librosa
        import scipy.linalg
        import scipy.ndimage
        from scipy.sparse import csgraph

        recurrence = recurrence_affinity(units.cqt, width=self.opts["rec_width"])
        if not recurrence.any():  # every beat sounds the same (dither under the dB floor): no structure
            raise _NoRepetitionGraph
        smooth = librosa.segment.timelag_filter(scipy.ndimage.median_filter)
        recurrence = smooth(recurrence, size=(1, 7))
        recurrence = 0.5 * (recurrence + recurrence.T)  # the time-lag median filter breaks symmetry
        path_distance = np.sum(np.diff(units.mfcc.astype(np.float64), axis=1) ** 2, axis=0)
        sigma = max(float(np.median(path_distance)), 1e-9)
        path_sim = np.exp(-path_distance / sigma)
        path = np.diag(path_sim, k=1) + np.diag(path_sim, k=-1)
        deg_path, deg_rec = path.sum(axis=1), recurrence.sum(axis=1)
        total = deg_path + deg_rec
        mu = float(deg_path.dot(total) / max(float(np.sum(total**2)), 1e-12))
        affinity = mu * recurrence + (1 - mu) * path
        laplacian = csgraph.laplacian(affinity, normed=True)
        n_vectors = min(k_max + 1, laplacian.shape[0])
        eigenvalues, eigenvectors = scipy.linalg.eigh(laplacian, subset_by_index=[0, n_vectors - 1])
        eigenvectors = scipy.ndimage.median_filter(eigenvectors, size=(self.opts["median_size"], 1))
        return eigenvectors, eigenvalues


class _NoRepetitionGraph(Exception):
    """The beats' CQT frames are all at zero distance from their neighbours: no structure to find."""


def _single(duration: float) -> Segmentation:
    return Segmentation(segments=(Segment(0.0, float(duration), "A"),), n_clusters=1, method="laplacian")


def _eigengap_k(eigenvalues: np.ndarray, k_max: int) -> int:
    """``k`` in ``1 … k_max`` with the largest gap ``λ_{k+1} − λ_k`` (eigenvalues ascending)."""
    gaps = np.diff(eigenvalues[: k_max + 1])
    return int(np.argmax(gaps)) + 1 if gaps.size else 1


def _silhouette(x: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette of ``labels`` on rows of ``x`` (−1–1); 0 when fewer than 2 clusters are used."""
    from sklearn.metrics import silhouette_score

    if len(np.unique(labels)) < 2:
        return 0.0
    return float(silhouette_score(x, labels))


def _cluster(embedding: np.ndarray, k: int) -> np.ndarray:
    """k-means on the first ``k`` eigenvectors, rows normalised as in McFee & Ellis (2014)."""
    if k == 1:
        return np.zeros(embedding.shape[0], dtype=int)
    import warnings

    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    x = embedding[:, :k]
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x = x / np.maximum(norms, 1e-12)
    with warnings.catch_warnings():
        # fewer distinct points than k (a track whose every beat sounds the same) gives fewer
        # clusters: the silhouette then scores that k as it is, nothing for the user to act on
        warnings.simplefilter("ignore", ConvergenceWarning)
        return np.asarray(KMeans(n_clusters=k, n_init=5, random_state=0).fit_predict(x))


def _runs(labels: np.ndarray, bounds: np.ndarray) -> list[tuple[float, float, int, int, int]]:
    """Runs of equal labels as ``(start_s, end_s, label, first_unit, stop_unit)``."""
    change = np.flatnonzero(np.diff(labels)) + 1
    starts = np.concatenate([[0], change])
    stops = np.concatenate([change, [len(labels)]])
    return [
        (float(bounds[a]), float(bounds[b]), int(labels[a]), int(a), int(b)) for a, b in zip(starts, stops)
    ]


def _merge_short(
    runs: list[tuple[float, float, int, int, int]], units: BeatUnits, min_segment: float
) -> list[tuple[float, float, int, int, int]]:
    """Merge runs shorter than ``min_segment`` s into the neighbour with the closer mean MFCCs."""
    runs = list(runs)

    def centroid(run: tuple[float, float, int, int, int]) -> np.ndarray:
        return np.asarray(units.mfcc[:, run[3] : run[4]].mean(axis=1))

    while len(runs) > 1:
        lengths = [end - start for start, end, *_ in runs]
        i = int(np.argmin(lengths))
        if lengths[i] >= min_segment:
            break
        neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(runs)]
        j = min(neighbours, key=lambda n: float(np.linalg.norm(centroid(runs[n]) - centroid(runs[i]))))
        a, b = sorted((i, j))
        keep = runs[j]
        runs[a : b + 1] = [(runs[a][0], runs[b][1], keep[2], runs[a][3], runs[b][4])]
        # Neighbours that now share a label become one run.
        merged: list[tuple[float, float, int, int, int]] = []
        for run in runs:
            if merged and merged[-1][2] == run[2]:
                last = merged[-1]
                merged[-1] = (last[0], run[1], last[2], last[3], run[4])
            else:
                merged.append(run)
        runs = merged
    return runs


def _type_name(index: int) -> str:
    letters = string.ascii_uppercase
    return letters[index] if index < 26 else letters[index // 26 - 1] + letters[index % 26]


def _labelled(runs: list[tuple[float, float, int, int, int]], method: str) -> Segmentation:
    """Letters by first appearance, primes for repeats (``A``, ``B``, ``A'``…)."""
    types: dict[int, int] = {}
    seen: dict[int, int] = {}
    segments = []
    for start, end, cluster, *_ in runs:
        letter = types.setdefault(cluster, len(types))
        count = seen.get(cluster, 0)
        seen[cluster] = count + 1
        segments.append(Segment(start, end, _type_name(letter) + "'" * count))
    return Segmentation(segments=tuple(segments), n_clusters=len(types), method=method)
