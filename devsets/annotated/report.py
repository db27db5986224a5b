"""Tables of ``mirloop evaluate-backends`` results on the annotated sets, by what the manifest knows.

    python devsets/annotated/report.py DIR [NAME=]STAGE.csv [[NAME=]STAGE.csv ...]

Reads ``DIR/manifest.csv`` and the ``<stage>.csv`` files ``evaluate-backends -o`` saved, and prints
Markdown: per backend, tempo Acc1/Acc2 with the kind of error (double, half, triple, third, other)
and Acc1 per beat unit (on the module excerpts: Acc1/Acc2 up to and above 200 BPM); key MIREX
score with the kind of answer (same, fifth, relative, parallel, other) per mode; boundaries F,
precision and recall at ±0.5 s and ±3 s (``mir_eval``, trimmed) for same-source and cross-source
files. Seconds of computing per minute of audio come from the CSVs.
``NAME=STAGE.csv`` names the rows of that file's (only) backend ``NAME``, so runs of one backend
with different options (``essentia-edma=…/key.csv``) sit side by side.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

TEMPO_KINDS = (("×2", 2.0), ("×½", 0.5), ("×3", 3.0), ("×⅓", 1 / 3))
KEY_KINDS = {1.0: "same", 0.5: "fifth", 0.3: "relative", 0.2: "parallel", 0.0: "other"}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def speed(rows: list[dict[str, str]]) -> float:
    done = [r for r in rows if not r["error"]]
    minutes = sum(float(r["audio_seconds"]) for r in done) / 60
    return sum(float(r["seconds"]) for r in done) / minutes if minutes else float("nan")


def tempo_table(runs: dict[str, list[dict[str, str]]], manifest: dict[str, dict[str, str]]) -> Iterator[str]:
    units = ("quarter", "half", "dotted quarter")
    yield (
        "| backend | files | Acc1 | Acc2 | "
        + " | ".join(k for k, _ in TEMPO_KINDS)
        + " | other | "
        + " | ".join(f"Acc1, {u} beat" for u in units)
        + " | s / min |"
    )
    yield "|---|---:|---:|---:|" + "---:|" * (len(TEMPO_KINDS) + 1 + len(units)) + "---:|"
    for name, rows in runs.items():
        kinds: dict[str, int] = defaultdict(int)
        per_unit: dict[str, list[float]] = defaultdict(list)
        for r in rows:
            ratio = float(r["estimate"] or 0) / float(r["reference"])
            if float(r["acc1"] or 0) < 1:
                kind = next((k for k, f in TEMPO_KINDS if abs(ratio / f - 1) <= 0.04), "other")
                kinds[kind] += 1
            unit = manifest[Path(r["file"]).stem]["details"].split("beat = ")[1].split(";")[0]
            per_unit[unit].append(float(r["acc1"] or 0))
        acc1 = np.mean([float(r["acc1"] or 0) for r in rows])
        acc2 = np.mean([float(r["acc2"] or 0) for r in rows])
        yield (
            f"| `{name}` | {len(rows)} | {acc1:.3f} | {acc2:.3f} | "
            + " | ".join(str(kinds[k]) for k, _ in TEMPO_KINDS)
            + f" | {kinds['other']} | "
            + " | ".join(
                f"{np.mean(per_unit[u]):.3f} ({len(per_unit[u])})" if per_unit[u] else "–" for u in units
            )
            + f" | {speed(rows):.2f} |"
        )


#: Above this reference (BPM) a module's beat of rows is taken apart in the module table.
FAST_MODULE_BPM = 200.0


def module_tempo_table(runs: dict[str, list[dict[str, str]]]) -> Iterator[str]:
    """Tempo on the module excerpts: Acc1/Acc2, kinds of error, and both scores split at 200 BPM."""
    yield (
        "| backend | files | Acc1 | Acc2 | "
        + " | ".join(k for k, _ in TEMPO_KINDS)
        + f" | other | Acc1 / Acc2, ≤ {FAST_MODULE_BPM:g} BPM"
        + f" | Acc1 / Acc2, > {FAST_MODULE_BPM:g} BPM | s / min |"
    )
    yield "|---|---:|---:|---:|" + "---:|" * (len(TEMPO_KINDS) + 1) + "---:|---:|---:|"
    for name, rows in runs.items():
        kinds: dict[str, int] = defaultdict(int)
        groups: dict[bool, list[tuple[float, float]]] = defaultdict(list)
        for r in rows:
            reference = float(r["reference"])
            ratio = float(r["estimate"] or 0) / reference
            if float(r["acc1"] or 0) < 1:
                kinds[next((k for k, f in TEMPO_KINDS if abs(ratio / f - 1) <= 0.04), "other")] += 1
            groups[reference > FAST_MODULE_BPM].append((float(r["acc1"] or 0), float(r["acc2"] or 0)))
        cells = [
            f"{np.mean([a for a, _ in g]):.3f} / {np.mean([b for _, b in g]):.3f} ({len(g)})" if g else "–"
            for g in (groups[False], groups[True])
        ]
        yield (
            f"| `{name}` | {len(rows)} | {np.mean([float(r['acc1'] or 0) for r in rows]):.3f} | "
            f"{np.mean([float(r['acc2'] or 0) for r in rows]):.3f} | "
            + " | ".join(str(kinds[k]) for k, _ in TEMPO_KINDS)
            + f" | {kinds['other']} | {cells[0]} | {cells[1]} | {speed(rows):.2f} |"
        )


def key_table(runs: dict[str, list[dict[str, str]]]) -> Iterator[str]:
    yield (
        "| backend | files | MIREX | MIREX major | MIREX minor | "
        + " | ".join(KEY_KINDS.values())
        + " | s / min |"
    )
    yield "|---|---:|---:|---:|---:|" + "---:|" * len(KEY_KINDS) + "---:|"
    for name, rows in runs.items():
        scores = [float(r["mirex"] or 0) for r in rows]
        kinds: dict[str, int] = defaultdict(int)
        for s in scores:
            kinds[KEY_KINDS.get(round(s, 1), "other")] += 1
        by_mode = {
            m: [float(r["mirex"] or 0) for r in rows if r["reference"].endswith(m)]
            for m in ("major", "minor")
        }
        yield (
            f"| `{name}` | {len(rows)} | {np.mean(scores):.3f} | {np.mean(by_mode['major']):.3f} | "
            f"{np.mean(by_mode['minor']):.3f} | "
            + " | ".join(str(kinds[k]) for k in KEY_KINDS.values())
            + f" | {speed(rows):.2f} |"
        )


def boundary_group(track_id: str, subset: str) -> str | None:
    """The breakdown a boundary table gives: spliced files by same or cross source; none for others."""
    if subset != "spliced":
        return None
    return "same source" if "_same_" in track_id else "cross source"


def boundary_table(
    runs: dict[str, list[dict[str, str]]], folder: Path, manifest: dict[str, dict[str, str]]
) -> Iterator[str]:
    import mir_eval

    from mirloop.evaluation.annotations import read_truth

    stems = [Path(r["file"]).stem for rows in runs.values() for r in rows]
    groups = sorted({g for s in stems if (g := boundary_group(s, manifest[s]["subset"]))}, reverse=True)
    yield (
        "| backend | files | F @0.5 s | P @0.5 s | R @0.5 s | F @3 s | P @3 s | R @3 s | "
        + "".join(f"F @3 s {g} | " for g in groups)
        + "boundaries found / true | files answered as one section | s / min |"
    )
    yield "|---|" + "---:|" * (10 + len(groups))
    for name, rows in runs.items():
        prf: dict[float, list[tuple[float, float, float]]] = defaultdict(list)
        by_group: dict[str, list[float]] = defaultdict(list)
        found = true = single = 0
        for r in rows:
            stem = Path(r["file"]).stem
            reference = read_truth(folder / manifest[stem]["annotation"]).intervals
            assert reference is not None
            end = float(reference[-1, 1])
            inner = [float(b) for b in r["estimate"].split()]
            edges = np.array([0.0, *[b for b in inner if 0 < b < end], end])
            estimate = np.stack([edges[:-1], edges[1:]], axis=1)
            found += len(edges) - 2
            true += len(reference) - 1
            single += len(edges) == 2
            for window in (0.5, 3.0):
                p, rec, f = mir_eval.segment.detection(reference, estimate, window=window, trim=True)
                prf[window].append((p, rec, f))
            group = boundary_group(stem, manifest[stem]["subset"])
            if group:
                by_group[group].append(prf[3.0][-1][2])
        m = {w: np.mean(v, axis=0) for w, v in prf.items()}
        yield (
            f"| `{name}` | {len(rows)} | {m[0.5][2]:.3f} | {m[0.5][0]:.3f} | {m[0.5][1]:.3f} | "
            f"{m[3.0][2]:.3f} | {m[3.0][0]:.3f} | {m[3.0][1]:.3f} | "
            + "".join(f"{np.mean(by_group[g]):.3f} | " for g in groups)
            + f"{found} / {true} | {single} | {speed(rows):.2f} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("folder", type=Path, help="the annotated sets' folder (manifest.csv)")
    parser.add_argument("csv", nargs="+", help="<stage>.csv files; NAME=path.csv renames its only backend")
    args = parser.parse_args(argv)
    manifest = {r["track_id"]: r for r in read_csv(args.folder / "manifest.csv")}
    by_stage: dict[str, dict[str, list[dict[str, str]]]] = defaultdict(dict)
    for item in args.csv:
        label, _, path = item.rpartition("=")
        for row in read_csv(Path(path)):
            by_stage[row["stage"]].setdefault(label or row["backend"], []).append(row)
    for stage, runs in by_stage.items():
        print(f"\n{stage}\n")
        subsets = {manifest[Path(r["file"]).stem]["subset"] for rows in runs.values() for r in rows}
        if stage == "tempo" and subsets == {"modules"}:
            print("\n".join(module_tempo_table(runs)))
        elif stage == "tempo":
            print("\n".join(tempo_table(runs, manifest)))
        elif stage == "key":
            print("\n".join(key_table(runs)))
        else:
            print("\n".join(boundary_table(runs, args.folder, manifest)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
