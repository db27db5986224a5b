"""Benchmark the training side: dataset build rate, model training and prediction speed.

Usage::

    python benchmarks/bench_training.py --data DATA/          # a generated dataset: rates, extrapolation,
                                                              # grouped vs leaky accuracy for KNN and MLP
    python benchmarks/bench_training.py --synthetic 20000     # training/prediction speed on synthetic windows
    python benchmarks/bench_training.py --data DATA/ --table-speed   # both models on every window:
                                                      # fit time, peak memory, 4-minute-track prediction
    python benchmarks/bench_training.py --data DATA/ --table-speed --rows 240000   # on whole renders
                                                      # drawn at random up to 240,000 windows

The dataset rate is measured twice: from the wall clock of the generation runs recorded in
``build_log.jsonl`` (what the machine really did, both workers competing for memory and caches
included), and from the per-render CPU seconds recorded in ``manifest.parquet``, fitted as
``seconds = a + b · duration`` and extrapolated to the paper's build (every descriptor × 33
renders × 10, 30 and 60 s) on one core and, assuming perfect scaling, on all local cores.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

PAPER_DURATIONS = (10.0, 30.0, 60.0)
PAPER_PER_DESCRIPTOR = 33
#: The paper's dataset: 20,196 renders (204 descriptors × 33 × 10/30/60 s), about 187 h of audio.
PAPER_AUDIO_HOURS = 204 * 33 * 100 / 3600


def dataset_rates(data: Path) -> dict[str, Any]:
    """Render/feature cost per render and per audio second, and the extrapolated full build."""
    import pandas as pd

    from mirloop.catalog import load_catalog
    from mirloop.dataset.generate import read_build_log

    manifest = pd.read_parquet(data / "manifest.parquet")
    # whole job (render, encode, write, featurize) where recorded; else render + features only
    partial = manifest["render_seconds"] + manifest["feature_seconds"]
    cpu = manifest["job_seconds"].fillna(partial) if "job_seconds" in manifest else partial
    slope, intercept = (
        np.polyfit(manifest["duration"], cpu, 1)
        if manifest["duration"].nunique() > 1
        else (float(cpu.sum() / manifest["duration"].sum()), 0.0)
    )
    n_descriptors = len(load_catalog())
    renders = n_descriptors * PAPER_PER_DESCRIPTOR * len(PAPER_DURATIONS)
    audio = n_descriptors * PAPER_PER_DESCRIPTOR * sum(PAPER_DURATIONS)
    one_core = renders * intercept + audio * slope
    cores = os.cpu_count() or 1
    runs = read_build_log(data)
    wall = sum(r["wall_seconds"] + r["collect_seconds"] for r in runs)
    wall_rate = sum(r["audio_seconds"] for r in runs) / wall if wall > 0 else None
    return {
        "measured_build": None
        if wall_rate is None
        else {
            "runs": len(runs),
            "wall_seconds": wall,
            "real_time_factor": wall_rate,
            "full_build_hours": audio / wall_rate / 3600,
            "paper_build_hours": PAPER_AUDIO_HOURS * 3600 / wall_rate / 3600,
        },
        "renders": len(manifest),
        "cost_measured": "job_seconds" if "job_seconds" in manifest else "render_seconds + feature_seconds",
        "audio_seconds": float(manifest["duration"].sum()),
        "render_cpu_seconds": float(manifest["render_seconds"].sum()),
        "feature_cpu_seconds": float(manifest["feature_seconds"].sum()),
        "renders_per_cpu_second": float(len(manifest) / cpu.sum()),
        "real_time_factor_per_core": float(manifest["duration"].sum() / cpu.sum()),
        "cost_model": {"seconds_per_render": float(intercept), "seconds_per_audio_second": float(slope)},
        "full_build": {
            "descriptors": n_descriptors,
            "renders": renders,
            "audio_hours": audio / 3600,
            "hours_one_core": one_core / 3600,
            "hours_all_cores": one_core / 3600 / cores,
            "cores": cores,
        },
    }


def split_accuracies(data: Path) -> dict[str, Any]:
    """Grouped (honest) and window-level (leaky) accuracy per target for KNN and MLP."""
    from mirloop.pipelines.training import train_from_dataset

    results: dict[str, Any] = {}
    for kind in ("knn", "mlp"):
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            result = train_from_dataset(data, Path(folder) / kind, kind=kind, figures=False)
            summary = result.summary()
            summary["wall_seconds"] = time.perf_counter() - started
            results[kind] = summary
    return results


def synthetic_speed(n_windows: int) -> dict[str, Any]:
    """Fit and predict time of both classifiers on ``n_windows`` synthetic windows."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.classify.synthetic import synthetic_windows

    from mirloop.classify.fit import fit_model

    windows_per_render = 12
    per_descriptor = max(2, n_windows // (9 * windows_per_render))
    windows = synthetic_windows(per_descriptor, windows_per_render, spread=0.8)
    out: dict[str, Any] = {"n_windows": len(windows)}
    for kind in ("knn", "mlp"):
        started = time.perf_counter()
        model = fit_model(windows, kind)
        fitted = time.perf_counter() - started
        x = model.design_matrix(windows.values, windows.pca_input)
        started = time.perf_counter()
        model.predict_matrices(x)
        predicted = time.perf_counter() - started
        out[kind] = {
            "fit_seconds": fitted,
            "predict_windows_per_second": len(windows) / predicted,
            "convergence": model.convergence(),
        }
    return out


#: Targets of the training benchmark: fit time per model, classification of a 4-minute track, peak memory.
FIT_BUDGET_SECONDS = 600.0
PREDICT_BUDGET_SECONDS = 1.0
MEMORY_BUDGET_BYTES = 4 * 1024**3
#: Windows of a 4-minute track on the 10-s / 2-s grid.
TRACK_WINDOWS = 116


def _peak_rss_bytes() -> dict[str, int]:
    import resource

    return {
        "this_process": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "largest_worker": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
    }


def table_speed(data: Path, rows: int | None = None) -> dict[str, Any]:
    """Fit both models on every window of ``data`` (open-set validation included, as ``mirloop
    train`` does), then time the classification of a 4-minute track's windows; ratios are to the
    targets (< 1 meets them). ``rows``: fit on whole renders drawn at random (seed 0) until
    that many windows are reached, instead of every window."""
    from mirloop.classify.feature_table import read_table, windows_from_table
    from mirloop.classify.fit import fit_model
    from mirloop.pipelines.training import dataset_info

    table = read_table(data)
    windows = windows_from_table(table, dataset_info(data, table).feature_names)
    del table
    if rows is not None and rows < len(windows):
        renders, sizes = np.unique(windows.groups, return_counts=True)
        order = np.random.default_rng(0).permutation(len(renders))
        kept = renders[order[: int(np.searchsorted(np.cumsum(sizes[order]), rows)) + 1]]
        windows = windows.subset(np.flatnonzero(np.isin(windows.groups, kept)))
    out: dict[str, Any] = {"windows": len(windows)}
    track = np.arange(TRACK_WINDOWS) % len(windows)
    for kind in ("knn", "mlp"):
        started = time.perf_counter()
        model = fit_model(windows, kind)
        fit_seconds = time.perf_counter() - started
        pca_input = windows.pca_input[track] if windows.pca_input is not None else None
        started = time.perf_counter()
        model.predict_matrices(model.design_matrix(windows.values[track], pca_input))
        predict_seconds = time.perf_counter() - started
        out[kind] = {
            "fit_seconds": fit_seconds,
            "fit_vs_budget": fit_seconds / FIT_BUDGET_SECONDS,
            "track_predict_seconds": predict_seconds,
            "predict_vs_budget": predict_seconds / PREDICT_BUDGET_SECONDS,
            "converged": all(node["converged"] for node in model.convergence().values()),
        }
        del model
    peak = _peak_rss_bytes()
    out["peak_rss_bytes"] = peak
    out["memory_vs_budget"] = max(peak.values()) / MEMORY_BUDGET_BYTES
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="a generated dataset folder")
    parser.add_argument("--no-train", action="store_true", help="with --data: only the build rates")
    parser.add_argument("--synthetic", type=int, default=0, help="windows of a synthetic speed test")
    parser.add_argument(
        "--table-speed", action="store_true", help="with --data: fit both models on every window, time it"
    )
    parser.add_argument(
        "--rows", type=int, default=None, help="with --table-speed: fit on whole renders up to N windows"
    )
    args = parser.parse_args(argv)
    report: dict[str, Any] = {}
    if args.data:
        report["dataset"] = dataset_rates(args.data)
        if args.table_speed:
            report["table_speed"] = table_speed(args.data, args.rows)
        elif not args.no_train:
            report["accuracy"] = split_accuracies(args.data)
    if args.synthetic:
        report["synthetic"] = synthetic_speed(args.synthetic)
    if not report:
        parser.error("give --data DIR and/or --synthetic N")
    print(json.dumps(report, indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
