"""Form segmentation with Essentia's SBic (Bayesian-information-criterion change points)."""

from __future__ import annotations

import itertools
import string
from typing import ClassVar

import numpy as np
from mirloop.signal import TrackContext
from mirloop.stages import Backend, Option
from mirloop.types import Segment, Segmentation

from mirloop_essentia.frames import spectral_frames
from mirloop_essentia.runtime import standard

#: Frames pooled into one SBic observation (about 0.37 s at 43 frames per second).
POOL = 16


class EssentiaSegmenter(Backend):
    """Boundaries from SBic on pooled MFCCs; sections labelled by MFCC-mean similarity.

    SBic (Chen & Gopalakrishnan 1998, as in Essentia) finds the frames where a two-Gaussian
    model of the MFCC sequence beats a single Gaussian by the BIC with penalty ``penalty``
    (larger = fewer boundaries). Segments shorter than ``min_seconds`` are merged into their
    neighbour. A segment takes the label of the most similar earlier section type when the
    z-scored distance of their mean MFCCs is below ``same_section`` and a new letter otherwise.
    """

    name: ClassVar[str] = "essentia"
    stage: ClassVar[str] = "segmenter"
    summary: ClassVar[str] = "Essentia SBic change points on MFCCs, sections labelled by similarity"
    options: ClassVar[dict[str, Option]] = {
        "penalty": Option(1.5, float, "BIC complexity penalty (SBic cpw); larger gives fewer boundaries"),
        "min_seconds": Option(4.0, float, "shortest segment kept, seconds"),
        "same_section": Option(0.5, float, "largest mean-MFCC distance (z-scored) between one section type"),
    }

    def segment(self, ctx: TrackContext) -> Segmentation:
        frames = spectral_frames(ctx)
        mfcc = frames.mfcc[1:]  # drop c0 (loudness)
        n_pooled = max(1, mfcc.shape[1] // POOL)
        pooled = mfcc[:, : n_pooled * POOL].reshape(mfcc.shape[0], n_pooled, POOL).mean(axis=2)
        rate = frames.rate / POOL
        min_frames = max(2, round(self.opts["min_seconds"] * rate))
        cuts: list[float] = []
        if n_pooled > 2 * min_frames:
            sbic = standard().SBic(cpw=self.opts["penalty"], minLength=min_frames,
                                   size1=max(min_frames * 2, 10), inc1=max(min_frames // 2, 2),
                                   size2=max(min_frames, 5), inc2=max(min_frames // 4, 1))
            found = np.asarray(sbic(np.ascontiguousarray(pooled, dtype=np.float32)), dtype=np.float64)
            cuts = [t / rate for t in found if 0 < t < n_pooled - 1]
        edges = _merge_short([0.0, *sorted(cuts), ctx.duration], self.opts["min_seconds"])
        labels = _label(pooled, rate, edges, self.opts["same_section"])
        spans = zip(edges[:-1], edges[1:], labels, strict=True)
        segments = tuple(Segment(a, b, label) for a, b, label in spans)
        return Segmentation(segments=segments, n_clusters=len(set(labels)), method="essentia-sbic")


def _merge_short(edges: list[float], min_seconds: float) -> list[float]:
    """Drop inner edges that would leave a segment shorter than ``min_seconds``."""
    kept = [edges[0]]
    for edge in edges[1:-1]:
        if edge - kept[-1] >= min_seconds and edges[-1] - edge >= min_seconds:
            kept.append(edge)
    kept.append(edges[-1])
    return kept


def _label(features: np.ndarray, rate: float, edges: list[float], threshold: float) -> list[str]:
    """A letter per segment; similar segments (mean distance below ``threshold``) share one."""
    scale = features.std(axis=1, keepdims=True) + 1e-9
    z = (features - features.mean(axis=1, keepdims=True)) / scale
    means = []
    for a, b in itertools.pairwise(edges):
        lo = min(int(a * rate), z.shape[1] - 1)
        hi = max(lo + 1, min(int(b * rate), z.shape[1]))
        means.append(z[:, lo:hi].mean(axis=1))
    types: list[np.ndarray] = []
    labels: list[str] = []
    for mean in means:
        distances = [float(np.linalg.norm(mean - t) / np.sqrt(len(mean))) for t in types]
        if distances and min(distances) < threshold:
            labels.append(string.ascii_uppercase[int(np.argmin(distances)) % 26])
        else:
            types.append(mean)
            labels.append(string.ascii_uppercase[(len(types) - 1) % 26])
    return labels
