"""Tempo Acc1/Acc2 of each backend of an ``evaluate-backends`` run, on two halves of the compositions.

``tempocnn-grid``'s choices (the grouping test, the mass width, the prior) were made looking at
the even half of the annotated compositions (every 2nd file in manifest order, starting at the
first); the odd half is the held-out check. This prints both halves and the whole set::

    D=annotated-dev-set
    python benchmarks/grid_split.py $D $D/comparison/compositions-tempo-grid/tempo.csv
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path


def main(dataset: str, tempo_csv: str) -> None:
    with (Path(dataset) / "manifest.csv").open(newline="", encoding="utf-8") as handle:
        names = [Path(r["path"]).name for r in csv.DictReader(handle) if r["subset"] == "compositions"]
    half = {name: ("even", "odd")[i % 2] for i, name in enumerate(names)}
    scores: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    with Path(tempo_csv).open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["file"] in half:
                for part in (half[row["file"]], "all"):
                    scores[row["backend"], part].append((float(row["acc1"]), float(row["acc2"])))
    print("| backend | even half (chosen on) | odd half (held out) | all |")
    print("|---|---|---|---|")
    for backend in sorted({b for b, _ in scores}):
        cells = []
        for part in ("even", "odd", "all"):
            rows = scores[backend, part]
            acc1 = sum(a for a, _ in rows) / len(rows)
            acc2 = sum(b for _, b in rows) / len(rows)
            cells.append(f"{acc1:.3f} / {acc2:.3f} ({len(rows)})")
        print(f"| `{backend}` | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(*sys.argv[1:3])
