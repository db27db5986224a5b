"""Exploratory figures of a dataset (the paper's EDA) as PNGs and one HTML page.

Figures: moods per genre/subgenre; renders per sentiment, valence and momentum, and how those
three relate; tempo box plots per genre/subgenre split by sentiment, and per valence and
momentum level split by sentiment — for the rendered tempo and the tempo the feature backend
induced (window ``tempo`` column, when present).
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from mirloop.classify.feature_table import FEATURES_PARQUET
from mirloop.dataset.layout import MANIFEST_PARQUET
from mirloop.errors import DatasetError
from mirloop.io.atomic import atomic_path, write_text

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

REPORT_DIR = "report"
SENTIMENT_COLOURS = {"negative": "#c0504d", "neutral": "#9e9e9e", "positive": "#4f81bd"}


def _save(fig: Figure, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    with atomic_path(path) as temporary:
        fig.savefig(temporary, dpi=100, format="png")
    plt.close(fig)
    return path


def moods_per_subgenre(manifest: pd.DataFrame, path: Path) -> Path:
    import matplotlib.pyplot as plt

    pairs = manifest.assign(style=manifest["genre"] + "_" + manifest["subgenre"])
    counts = pairs.groupby("style")["mood"].nunique().sort_values()
    fig, ax = plt.subplots(figsize=(7, max(3.0, 0.25 * len(counts) + 1)))
    ax.barh(counts.index, counts.to_numpy(), color="#4f81bd")
    ax.set_xlabel("distinct moods")
    ax.set_title("Moods per genre/subgenre")
    return _save(fig, path)


def balance(manifest: pd.DataFrame, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
    for ax, column in zip(axes, ("sentiment", "valence", "momentum")):
        counts = manifest[column].astype(str).value_counts().sort_index()
        colours = [SENTIMENT_COLOURS.get(c, "#4f81bd") for c in counts.index]
        ax.bar(counts.index, counts.to_numpy(), color=colours)
        ax.set_title(f"renders per {column}")
    return _save(fig, path)


def relations(manifest: pd.DataFrame, path: Path) -> Path:
    import matplotlib.pyplot as plt
    import pandas as pd

    pairs = (("sentiment", "valence"), ("sentiment", "momentum"), ("valence", "momentum"))
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    for ax, (row, col) in zip(axes, pairs):
        table = pd.crosstab(manifest[row].astype(str), manifest[col].astype(str))
        ax.imshow(table.to_numpy(), cmap="Blues")
        ax.set_xticks(range(table.shape[1]), table.columns)
        ax.set_yticks(range(table.shape[0]), table.index)
        for (i, j), value in zip(
            ((i, j) for i in range(table.shape[0]) for j in range(table.shape[1])), table.to_numpy().ravel()
        ):
            ax.text(j, i, str(value), ha="center", va="center", fontsize=8)
        ax.set_xlabel(col)
        ax.set_ylabel(row)
        ax.set_title(f"{row} × {col} (renders)")
    return _save(fig, path)


def tempo_boxes(data: pd.DataFrame, tempo_column: str, group: str, path: Path, title: str) -> Path:
    """Box plots of ``tempo_column`` per value of ``group``, one box per sentiment within it."""
    import matplotlib.pyplot as plt

    keys = sorted(data[group].astype(str).unique())
    sentiments = [s for s in SENTIMENT_COLOURS if s in set(data["sentiment"])]
    fig, ax = plt.subplots(figsize=(max(6.0, 0.55 * len(keys) * max(1, len(sentiments)) + 2), 4.2))
    width = 0.8 / max(1, len(sentiments))
    for k, sentiment in enumerate(sentiments):
        subset = data[data["sentiment"] == sentiment]
        series = [subset.loc[subset[group].astype(str) == key, tempo_column].to_numpy() for key in keys]
        positions = [i + (k - (len(sentiments) - 1) / 2) * width for i in range(len(keys))]
        present = [(p, s) for p, s in zip(positions, series) if len(s)]
        if present:
            boxes = ax.boxplot(
                [s for _, s in present],
                positions=[p for p, _ in present],
                widths=width * 0.9,
                patch_artist=True,
                showfliers=True,
                flierprops={"markersize": 2},
            )
            for patch in boxes["boxes"]:
                patch.set_facecolor(SENTIMENT_COLOURS[sentiment])
        ax.plot([], [], color=SENTIMENT_COLOURS[sentiment], linewidth=6, label=sentiment)
    ax.set_xticks(range(len(keys)), keys, rotation=60, ha="right", fontsize=8)
    ax.set_ylabel("tempo (BPM)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return _save(fig, path)


def write_report(data: str | os.PathLike[str], output: str | os.PathLike[str] | None = None) -> Path:
    """Draw every figure of the dataset in ``data`` into ``output`` (default ``data/report``).

    Returns the path of the HTML page.
    """
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd

    root = Path(data)
    manifest_path = root / MANIFEST_PARQUET
    if not manifest_path.is_file():
        raise DatasetError(f"{manifest_path} is missing; finish `mirloop dataset generate -o {root}` first")
    manifest = pd.read_parquet(manifest_path)
    out = Path(output) if output is not None else root / REPORT_DIR
    out.mkdir(parents=True, exist_ok=True)
    styled = manifest.assign(style=manifest["genre"] + "_" + manifest["subgenre"])
    figures: list[tuple[str, Callable[[], Path]]] = [
        ("Moods per genre/subgenre", lambda: moods_per_subgenre(manifest, out / "moods_per_subgenre.png")),
        ("Sentiment, valence and momentum balance", lambda: balance(manifest, out / "balance.png")),
        (
            "Relations between sentiment, valence and momentum",
            lambda: relations(manifest, out / "relations.png"),
        ),
        (
            "Rendered tempo per genre/subgenre and sentiment",
            lambda: tempo_boxes(styled, "tempo_bpm", "style", out / "tempo_style.png", "rendered tempo"),
        ),
        (
            "Rendered tempo per valence level and sentiment",
            lambda: tempo_boxes(
                styled, "tempo_bpm", "valence", out / "tempo_valence.png", "rendered tempo by valence"
            ),
        ),
        (
            "Rendered tempo per momentum level and sentiment",
            lambda: tempo_boxes(
                styled, "tempo_bpm", "momentum", out / "tempo_momentum.png", "rendered tempo by momentum"
            ),
        ),
    ]
    features_path = root / FEATURES_PARQUET
    summary: dict[str, Any] = {
        "renders": len(manifest),
        "descriptors": manifest["descriptor"].nunique(),
        "audio hours": round(float(manifest["duration"].sum()) / 3600, 2),
    }
    if features_path.is_file():
        windows = pd.read_parquet(features_path, columns=None)
        summary["windows"] = len(windows)
        if "tempo" in windows.columns:
            induced = windows.assign(style=windows["genre"] + "_" + windows["subgenre"])
            summary["induced tempo min/median/mean/max (BPM)"] = " / ".join(
                f"{v:.0f}"
                for v in (
                    induced["tempo"].min(),
                    induced["tempo"].median(),
                    induced["tempo"].mean(),
                    induced["tempo"].max(),
                )
            )
            figures.append(
                (
                    "Induced window tempo per genre/subgenre and sentiment",
                    lambda: tempo_boxes(
                        induced, "tempo", "style", out / "induced_tempo_style.png", "induced window tempo"
                    ),
                )
            )
    drawn = [(title, make()) for title, make in figures]
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in summary.items()
    )
    body = "".join(
        f"<h2>{html.escape(title)}</h2><img src='{html.escape(quote(path.name))}' alt='{html.escape(title)}'>"
        for title, path in drawn
    )
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>mirloop dataset {html.escape(root.name)}</title>"
        f"<style>body{{font-family:sans-serif;max-width:1200px;margin:auto}}img{{max-width:100%}}"
        "td,th{text-align:left;padding:2px 8px}</style></head><body>"
        f"<h1>Dataset {html.escape(str(root))}</h1>"
        f"<table>{rows}</table>{body}</body></html>"
    )
    return write_text(out / "index.html", page)
