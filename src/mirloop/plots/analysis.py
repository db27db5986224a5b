"""The analysis figure: waveform, chroma, form segments, tempo and key lanes on one time axis."""

from __future__ import annotations

import colorsys
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mirloop.io.atomic import atomic_path
from mirloop.signal import sample_file
from mirloop.signal.sample_file import column_extremes
from mirloop.signal.windows import pool_columns
from mirloop.types import Analysis
from mirloop.types.estimates import PITCH_CLASSES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from mirloop.signal import TrackContext

#: Columns of the waveform envelope (min/max per column, whatever the track length).
ENVELOPE_COLUMNS = 4000
#: Most chroma columns drawn (31 minutes at the CQT hop): a longer track's chroma is drawn as means
#: of runs of columns (matplotlib's image of every column took 280 MB for 10 hours).
FIGURE_COLUMNS = 20000
_FIFTHS = [(7 * pc) % 12 for pc in range(12)]  # position of each pitch class on the circle of fifths


def analysis_figure(analysis: Analysis, context: TrackContext) -> Figure:
    """Draw the figure of ``analysis`` (``context`` supplies the waveform and chroma)."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(12, 8.5), layout="constrained")
    axes = figure.subplots(5, 1, sharex=True, gridspec_kw={"height_ratios": [1.6, 2.0, 0.7, 1.4, 0.7]})
    _waveform(axes[0], context)
    _chroma(axes[1], context)
    _segments(axes[2], analysis)
    _tempo(axes[3], analysis)
    _keys(axes[4], analysis)
    axes[-1].set_xlim(0, analysis.duration)
    axes[-1].set_xlabel("time (s)")
    figure.suptitle(_title(analysis), fontsize=11)
    return figure


def save_analysis_figure(analysis: Analysis, context: TrackContext, path: str | os.PathLike[str]) -> Path:
    """Draw the figure and write it atomically as PNG."""
    figure = analysis_figure(analysis, context)
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", dpi=100)
    return Path(path)


def _title(analysis: Analysis) -> str:
    parts = [Path(analysis.source).name, f"{analysis.duration:.1f} s"]
    if analysis.tempo is not None:
        parts.append(f"{analysis.tempo.bpm:.1f} BPM")
    if analysis.key is not None:
        parts.append(str(analysis.key.key))
    if analysis.flags:
        parts.append("flags: " + ", ".join(analysis.flags))
    return " · ".join(parts)


def _waveform(ax: Any, context: TrackContext) -> None:
    samples = context.samples
    columns = max(1, min(ENVELOPE_COLUMNS, len(samples)))
    low, high = column_extremes(samples, columns)
    times = (np.arange(columns) + 0.5) * (len(samples) // columns) / context.sr
    ax.fill_between(times, low, high, color="0.3", linewidth=0)
    peak = sample_file.peak(samples)
    ax.set_ylim(-max(peak, 1e-3) * 1.05, max(peak, 1e-3) * 1.05)
    ax.set_ylabel("waveform")


def _chroma(ax: Any, context: TrackContext) -> None:
    chroma = context.chroma
    extent = (0.0, chroma.shape[1] / context.chroma_frame_rate, -0.5, 11.5)
    ax.imshow(pool_columns(chroma, FIGURE_COLUMNS), origin="lower", aspect="auto", extent=extent,
              cmap="magma", vmin=0, vmax=1, interpolation="nearest")
    ax.set_yticks(range(12), PITCH_CLASSES, fontsize=7)
    ax.set_ylabel("chroma")


def _segments(ax: Any, analysis: Analysis) -> None:
    ax.set_yticks([])
    ax.set_ylabel("form", rotation=0, ha="right", va="center")
    if analysis.segmentation is None:
        ax.text(0.5, 0.5, "no segmenter", transform=ax.transAxes, ha="center", va="center", color="0.5")
        return
    bases = sorted({segment.label.rstrip("'") for segment in analysis.segmentation.segments})
    palette = _palette(len(bases))
    for segment in analysis.segmentation.segments:
        colour = palette[bases.index(segment.label.rstrip("'"))]
        ax.broken_barh([(segment.start, segment.duration)], (0, 1), facecolors=colour, edgecolor="white")
        middle = segment.start + segment.duration / 2
        ax.text(middle, 0.5, segment.label, ha="center", va="center", fontsize=9)
    ax.set_ylim(0, 1)


def _tempo(ax: Any, analysis: Analysis) -> None:
    ax.set_ylabel("tempo (BPM)")
    if analysis.tempo is None:
        ax.text(0.5, 0.5, "no tempo backend", transform=ax.transAxes, ha="center", va="center", color="0.5")
        return
    tempo = analysis.tempo
    if len(tempo.curve_times):
        ax.plot(tempo.curve_times, tempo.curve_bpm, color="0.6", linewidth=0.8, label="local tempo")
    ax.step(analysis.grid.centers, tempo.window_bpm, where="mid", color="tab:blue", label="window tempo")
    ax.axhline(tempo.bpm, color="tab:red", linestyle="--", linewidth=1, label=f"track {tempo.bpm:.1f}")
    shown = np.concatenate([tempo.window_bpm, tempo.curve_bpm, [tempo.bpm]])
    shown = shown[np.isfinite(shown) & (shown > 0)]
    if len(shown):  # at least ±10 % around the track tempo, so jitter does not look like change
        low, high = min(shown.min(), tempo.bpm * 0.9), max(shown.max(), tempo.bpm * 1.1)
        ax.set_ylim(low - 0.05 * (high - low), high + 0.05 * (high - low))
    ax.legend(loc="upper right", fontsize=7, frameon=False)


def _keys(ax: Any, analysis: Analysis) -> None:
    ax.set_yticks([])
    ax.set_ylabel("key", rotation=0, ha="right", va="center")
    if analysis.key is None:
        ax.text(0.5, 0.5, "no key backend", transform=ax.transAxes, ha="center", va="center", color="0.5")
        return
    keys = analysis.key.window_keys
    edges = _centre_cells(analysis)
    run_start = 0
    cells, colours = [], []
    for index, key in enumerate(keys):
        start, end = edges[index], edges[index + 1]
        hue = _FIFTHS[key.pitch_class] / 12
        cells.append((start, max(end - start, 0.0)))
        colours.append(colorsys.hsv_to_rgb(hue, 0.55, 0.95 if key.mode == "major" else 0.65))
        last_of_run = index == len(keys) - 1 or keys[index + 1] != key
        if last_of_run:
            middle = (edges[run_start] + end) / 2
            ax.text(middle, 0.5, f"{key.tonic}{'m' if key.mode == 'minor' else ''}", ha="center", va="center",
                    fontsize=8)
            run_start = index + 1
    # One collection for all the windows: an artist per window costs 20 KB, 330 MB for 10 hours.
    ax.broken_barh(cells, (0, 1), facecolors=colours)
    ax.set_ylim(0, 1)


def _centre_cells(analysis: Analysis) -> np.ndarray:
    """Edges of one cell per window around its centre (midway between centres, 0 and the end outside)."""
    centers = analysis.grid.centers
    return np.concatenate([[0.0], (centers[1:] + centers[:-1]) / 2, [analysis.duration]])


def _palette(n: int) -> list[tuple[float, float, float]]:
    return [colorsys.hsv_to_rgb((0.08 + i / max(n, 1)) % 1.0, 0.45, 0.9) for i in range(n)]
