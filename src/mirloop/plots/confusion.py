"""The confusion of coarse real-music labels with predicted catalog genres, as a PNG."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from mirloop.io.atomic import atomic_path


def save_coarse_confusion(
    counts: np.ndarray,
    rows: Sequence[str],
    columns: Sequence[str],
    accepted: Mapping[str, Sequence[str]],
    path: str | os.PathLike[str],
    *,
    title: str = "",
) -> Path:
    """Draw ``counts`` (coarse label × predicted genre): cells coloured by the share of the row,
    labelled with the track count, and the genres each label ``accepted`` outlined. Written
    atomically as PNG."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    counts = np.asarray(counts, dtype=float).reshape(len(rows), len(columns))
    totals = counts.sum(axis=1, keepdims=True)
    shares = counts / np.where(totals > 0, totals, 1.0)
    figure = Figure(figsize=(1.8 + 0.62 * len(columns), 1.6 + 0.45 * max(len(rows), 1)), layout="constrained")
    ax = figure.subplots()
    if not len(rows):
        ax.text(0.5, 0.5, "no track scored", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        with atomic_path(path) as temporary:
            figure.savefig(temporary, format="png", dpi=100)
        return Path(path)
    image = ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0, aspect="auto")
    for i, label in enumerate(rows):
        for j, genre in enumerate(columns):
            if counts[i, j]:
                colour = "white" if shares[i, j] > 0.6 else "black"
                ax.text(j, i, f"{int(counts[i, j])}", ha="center", va="center", fontsize=8, color=colour)
            if genre in accepted.get(label, ()):
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="tab:green", lw=2))
    ax.set_xticks(range(len(columns)), list(columns), rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), [f"{r} ({int(t)})" for r, t in zip(rows, totals[:, 0])], fontsize=8)
    ax.set_xlabel("predicted catalog genre (green: counts as agreement)")
    ax.set_ylabel("coarse label (tracks)")
    if title:
        ax.set_title(title, fontsize=10)
    figure.colorbar(image, ax=ax, fraction=0.046, label="share of the label's tracks")
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png", dpi=100)
    return Path(path)
