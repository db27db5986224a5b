"""Figures of the loop report: segment diagram, waveforms with boundaries, chroma.

The figure of a track is drawn from :class:`InputCurves` and :class:`RenderCurves`: the few
arrays it plots (waveform envelopes, chroma at most :data:`FIGURE_COLUMNS` wide, boundaries),
taken from an analysis run as soon as it exists, so the runs themselves (every per-frame array
of a track, about 75 MiB an hour each) need not live until the figure is drawn.
"""

from __future__ import annotations

import colorsys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from attrs import frozen

from mirloop.io.atomic import atomic_path
from mirloop.signal.sample_file import column_extremes
from mirloop.signal.sample_file import peak as sample_peak
from mirloop.signal.windows import pool_columns
from mirloop.types.estimates import PITCH_CLASSES

if TYPE_CHECKING:
    from mirloop.pipelines.analyze import AnalysisRun
    from mirloop.types import Segment

#: Columns of a waveform envelope (min/max per column).
ENVELOPE_COLUMNS = 2000
#: Most chroma columns drawn (31 minutes at the CQT hop): a longer track's chroma is drawn as means
#: of runs of columns (matplotlib's image of every column took 280 MB for 10 hours).
FIGURE_COLUMNS = 20000


#: Characters per line of a figure title (a longer title is wrapped, not cut at the figure's edges).
TITLE_WIDTH = 120


@frozen(eq=False)
class Envelope:
    """A waveform drawn as ``ENVELOPE_COLUMNS`` columns: their times (s), minima and maxima
    (peak-normalised)."""

    times: np.ndarray
    low: np.ndarray
    high: np.ndarray


@frozen(eq=False)
class Chroma:
    """A chromagram as drawn: at most :data:`FIGURE_COLUMNS` columns spanning ``seconds``."""

    columns: np.ndarray
    seconds: float


@frozen(eq=False)
class InputCurves:
    """What the figure draws of the input: its length (s), segments, waveform and chroma."""

    duration: float
    segments: tuple[Segment, ...]
    envelope: Envelope
    chroma: Chroma


@frozen(eq=False)
class RenderCurves:
    """What the figure draws of a multi-region render: its waveform, the boundaries the segmenter
    found in it (s) and its chroma."""

    envelope: Envelope
    boundaries: tuple[float, ...]
    chroma: Chroma


def input_curves(run: AnalysisRun) -> InputCurves:
    """The arrays the figure plots of the analysed input ``run`` (a few hundred KB at any length)."""
    segmentation = run.analysis.segmentation
    return InputCurves(
        duration=run.analysis.duration,
        segments=tuple(segmentation.segments) if segmentation is not None else (),
        envelope=_envelope(run.context.samples, run.context.sr),
        chroma=_pooled_chroma(run),
    )


def render_curves(run: AnalysisRun) -> RenderCurves:
    """The arrays the figure plots of the analysed multi-region render ``run``."""
    estimated = run.analysis.segmentation
    return RenderCurves(
        envelope=_envelope(run.context.samples, run.context.sr),
        boundaries=tuple(float(b) for b in estimated.boundaries) if estimated is not None else (),
        chroma=_pooled_chroma(run),
    )


def track_figure(source: InputCurves, render: RenderCurves | None, path: Path, *, title: str) -> Path:
    """Segments of the input; input and multi-region render waveforms overlaid with both sets of
    boundaries; chroma of the input and of the render. Written atomically as PNG."""
    from matplotlib.figure import Figure

    rows = 4 if render is not None else 3
    ratios = [0.6, 1.4, 1.6, 1.6][:rows]
    figure = Figure(figsize=(11, 1.6 * sum(ratios) + 0.6), layout="constrained")
    axes = figure.subplots(rows, 1, sharex=True, gridspec_kw={"height_ratios": ratios})
    segments = source.segments
    _segments(axes[0], segments)
    _waveforms(axes[1], source, render)
    _chroma(axes[2], source.chroma, "input chroma")
    if render is not None:
        _chroma(axes[3], render.chroma, "render chroma")
    for ax in axes[1:]:
        for segment in segments[1:]:
            ax.axvline(segment.start, color="tab:red", linewidth=1.2, linestyle="--")
    axes[-1].set_xlim(0, source.duration)
    axes[-1].set_xlabel("time (s)")
    figure.suptitle(textwrap.fill(title, TITLE_WIDTH), fontsize=10)
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", dpi=80)
    return path


def _segments(ax: Any, segments: Any) -> None:
    bases = sorted({s.label.rstrip("'") for s in segments})
    for segment in segments:
        hue = (0.08 + bases.index(segment.label.rstrip("'")) / max(len(bases), 1)) % 1.0
        ax.broken_barh(
            [(segment.start, segment.duration)],
            (0, 1),
            facecolors=colorsys.hsv_to_rgb(hue, 0.45, 0.9),
            edgecolor="white",
        )
        ax.text(
            segment.start + segment.duration / 2, 0.5, segment.label, ha="center", va="center", fontsize=9
        )
    ax.set_yticks([])
    ax.set_ylim(0, 1)
    ax.set_ylabel("form", rotation=0, ha="right", va="center")


def _envelope(samples: np.ndarray, sr: int) -> Envelope:
    """Column times, minima and maxima (peak-normalised) of mono ``samples``, a block at a time:
    no whole-track temporary, and a long track's file-mapped pages are released behind."""
    columns = max(1, min(ENVELOPE_COLUMNS, len(samples)))
    low, high = column_extremes(samples, columns)
    times = (np.arange(columns) + 0.5) * (len(samples) // columns) / sr
    peak = sample_peak(samples) or 1.0
    return Envelope(times, low / peak, high / peak)


def _pooled_chroma(run: AnalysisRun) -> Chroma:
    chroma = run.context.chroma
    return Chroma(pool_columns(chroma, FIGURE_COLUMNS), chroma.shape[1] / run.context.chroma_frame_rate)


def _waveforms(ax: Any, source: InputCurves, render: RenderCurves | None) -> None:
    shape = source.envelope
    ax.fill_between(shape.times, shape.low, shape.high, color="0.35", linewidth=0, label="input", alpha=0.8)
    if render is not None:
        shape = render.envelope
        ax.fill_between(
            shape.times, shape.low, shape.high, color="tab:blue", linewidth=0, label="multi-region render",
            alpha=0.45,
        )
        for boundary in render.boundaries:
            ax.axvline(boundary, color="tab:blue", linewidth=1, linestyle=":")
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("waveform\n(peak-normalised)")
    ax.legend(loc="upper right", fontsize=7, frameon=False)


def _chroma(ax: Any, chroma: Chroma, label: str) -> None:
    ax.imshow(
        chroma.columns,
        origin="lower",
        aspect="auto",
        extent=(0.0, chroma.seconds, -0.5, 11.5),
        cmap="magma",
        vmin=0,
        vmax=1,
        interpolation="nearest",
    )
    ax.set_yticks(range(12), PITCH_CLASSES, fontsize=6)
    ax.set_ylabel(label)


__all__ = [
    "Chroma", "Envelope", "InputCurves", "RenderCurves", "input_curves", "render_curves", "track_figure",
]
