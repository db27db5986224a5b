"""A comparison as a Markdown table, CSV rows and JSON."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from mirloop.evaluation.runner import Comparison
from mirloop.io.atomic import write_text

_TITLES = {"acc1": "Acc1", "acc2": "Acc2", "mirex": "MIREX key score",
           "mirex_time": "MIREX key score over time (window keys)", "f_0.5s": "boundary F @0.5 s",
           "f_3s": "boundary F @3 s"}


def to_markdown(comparison: Comparison, *, per_file: bool = True) -> str:
    """The summary table (one row per backend), then each failure, then optionally every file."""
    metrics = comparison.metrics
    header = ["backend", *(_TITLES[m] for m in metrics), "s / min of audio", "files", "failed"]
    lines = [f"### {comparison.stage}: {len(comparison.backends)} backends on `{comparison.dataset}`", "",
             _row(header), _row(["---"] * len(header))]
    for s in comparison.summaries():
        lines.append(_row([f"`{s.backend}`", *(_number(s.scores[m]) for m in metrics),
                           f"{s.seconds_per_minute:.2f}", str(s.n_files), str(s.n_failed)]))
    failures = [r for r in comparison.results if not r.ok]
    if failures:
        lines += ["", "Failures (scored 0):", ""]
        lines += [f"- `{r.backend}` on `{r.file}`: {r.error}" for r in failures]
    if comparison.skipped:
        lines += ["", f"Files without a {comparison.stage} reference (skipped): {len(comparison.skipped)}"]
    if per_file:
        lines += ["", "<details><summary>per file</summary>", "",
                  _row(["file", "reference", *(f"`{b}`" for b in comparison.backends)]),
                  _row(["---"] * (2 + len(comparison.backends)))]
        files = list(dict.fromkeys(r.file for r in comparison.results))
        for name in files:
            rows = {r.backend: r for r in comparison.results if r.file == name}
            reference = next(iter(rows.values())).reference
            cells = [_cell(rows[b]) if b in rows else "" for b in comparison.backends]
            lines.append(_row([f"`{name}`", reference, *cells]))
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def to_csv(comparison: Comparison) -> str:
    """One row per backend and file: scores, answer, reference, time, error."""
    buffer = io.StringIO()
    fields = ["stage", "backend", "file", "reference", "estimate", *comparison.metrics, "seconds",
              "audio_seconds", "error"]
    writer = csv.DictWriter(buffer, fieldnames=fields)
    writer.writeheader()
    for r in comparison.results:
        writer.writerow({"stage": comparison.stage, "backend": r.backend, "file": r.file,
                         "reference": r.reference, "estimate": r.estimate,
                         **{m: r.scores.get(m, "") for m in comparison.metrics},
                         "seconds": f"{r.seconds:.3f}", "audio_seconds": f"{r.audio_seconds:.2f}",
                         "error": r.error})
    return buffer.getvalue()


def to_json(comparison: Comparison) -> str:
    return json.dumps(comparison.to_dict(), indent=2, default=float)


def save(comparison: Comparison, folder: str | os.PathLike[str]) -> list[Path]:
    """Write ``<stage>.md``, ``<stage>.csv`` and ``<stage>.json`` into ``folder`` (each atomically);
    their paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix, text in (("md", to_markdown(comparison)), ("csv", to_csv(comparison)),
                         ("json", to_json(comparison))):
        written.append(write_text(out / f"{comparison.stage}.{suffix}", text))
    return written


def _number(value: float) -> str:
    return "—" if value != value else f"{value:.3f}"  # nan: no file had a reference for it


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _cell(result: object) -> str:
    from mirloop.evaluation.runner import FileResult

    assert isinstance(result, FileResult)
    if not result.ok:
        return "crashed"
    return result.estimate or "—"
