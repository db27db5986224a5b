"""Figures of the loop report: segment diagram, waveforms with boundaries, chroma."""

from __future__ import annotations

import colorsys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mirloop.io.atomic import atomic_path
from mirloop.signal.sample_file import column_extremes
from mirloop.signal.sample_file import peak as sample_peak
from mirloop.signal.windows import pool_columns
from mirloop.types.estimates import PITCH_CLASSES

if TYPE_CHECKING:
    from mirloop.pipelines.analyze import AnalysisRun

#: Columns of a waveform envelope (min/max per column).
ENVELOPE_COLUMNS = 2000
#: Most chroma columns drawn (31 minutes at the CQT hop): a longer track's chroma is drawn as means
#: of runs of columns (matplotlib's image of every column took 280 MB for 10 hours).
FIGURE_COLUMNS = 20000


#: Characters per line of a figure title (a longer title is wrapped, not cut at the figure's edges).
TITLE_WIDTH = 120


def track_figure(input_run: AnalysisRun, render_run: AnalysisRun | None, path: Path, *, title: str) -> Path:
    """Segments of the input; input and multi-region render waveforms overlaid with both sets of
    boundaries; chroma of the input and of the render. Written atomically as PNG."""
    from matplotlib.figure import Figure

    rows = 4 if render_run is not None else 3
    ratios = [0.6, 1.4, 1.6, 1.6][:rows]
    figure = Figure(figsize=(11, 1.6 * sum(ratios) + 0.6), layout="constrained")
    axes = figure.subplots(rows, 1, sharex=True, gridspec_kw={"height_ratios": ratios})
    duration = input_run.analysis.duration
    segments = input_run.analysis.segmentation.segments if input_run.analysis.segmentation else ()
    _segments(axes[0], segments)
    _waveforms(axes[1], input_run, render_run)
    _chroma(axes[2], input_run, "input chroma")
    if render_run is not None:
        _chroma(axes[3], render_run, "render chroma")
    for ax in axes[1:]:
        for segment in segments[1:]:
            ax.axvline(segment.start, color="tab:red", linewidth=1.2, linestyle="--")
    axes[-1].set_xlim(0, duration)
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


def _envelope(samples: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column times, minima and maxima (peak-normalised) of mono ``samples``, a block at a time:
    no whole-track temporary, and a long track's file-mapped pages are released behind."""
    columns = max(1, min(ENVELOPE_COLUMNS, len(samples)))
    low, high = column_extremes(samples, columns)
    times = (np.arange(columns) + 0.5) * (len(samples) // columns) / sr
    peak = sample_peak(samples) or 1.0
    return times, low / peak, high / peak


def _waveforms(ax: Any, input_run: AnalysisRun, render_run: AnalysisRun | None) -> None:
    times, low, high = _envelope(input_run.context.samples, input_run.context.sr)
    ax.fill_between(times, low, high, color="0.35", linewidth=0, label="input", alpha=0.8)
    if render_run is not None:
        times, low, high = _envelope(render_run.context.samples, render_run.context.sr)
        ax.fill_between(
            times, low, high, color="tab:blue", linewidth=0, label="multi-region render", alpha=0.45
        )
        estimated = render_run.analysis.segmentation
        for boundary in estimated.boundaries if estimated is not None else ():
            ax.axvline(boundary, color="tab:blue", linewidth=1, linestyle=":")
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("waveform\n(peak-normalised)")
    ax.legend(loc="upper right", fontsize=7, frameon=False)


def _chroma(ax: Any, run: AnalysisRun, label: str) -> None:
    chroma = run.context.chroma
    extent = (0.0, chroma.shape[1] / run.context.chroma_frame_rate, -0.5, 11.5)
    ax.imshow(
        pool_columns(chroma, FIGURE_COLUMNS),
        origin="lower",
        aspect="auto",
        extent=extent,
        cmap="magma",
        vmin=0,
        vmax=1,
        interpolation="nearest",
    )
    ax.set_yticks(range(12), PITCH_CLASSES, fontsize=6)
    ax.set_ylabel(label)
