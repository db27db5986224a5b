"""One training table from several datasets: ``mirloop dataset merge``.

Two builds of the same catalog — the GM and the genre production, say, each grown to the paper's
scale — train one model on both. Only the window tables are merged: the merged folder holds
``features.parquet`` and ``dataset.json``, what ``mirloop train`` reads, and no renders. Every
render id is prefixed with its source folder's name (``gm-full/ambient_chill_dreamy-10s-000``),
so a render and its twin from the same plan in the other build are two renders; the grouped
held-out split may then put one twin in training and the other in the test (same descriptor,
tempo, key and seed, another production), which can only flatter the held-out figures.

The sources must describe their windows alike — the same feature backend, options and names and
the same catalog version — or the merge is refused, naming the field that differs.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from attrs import evolve, frozen

from mirloop.classify.feature_table import FEATURES_PARQUET, DatasetInfo, read_table
from mirloop.errors import DatasetError
from mirloop.io.atomic import atomic_path

#: Fields of ``dataset.json`` every source must share.
SHARED_FIELDS = ("feature_backend", "feature_options", "feature_names", "catalog_version")


@frozen
class MergeReport:
    output: Path
    #: ``(source folder, prefix, renders, windows)`` per source.
    sources: tuple[tuple[str, str, int, int], ...]

    @property
    def renders(self) -> int:
        return sum(renders for _, _, renders, _ in self.sources)

    @property
    def windows(self) -> int:
        return sum(windows for *_, windows in self.sources)


def merge_datasets(sources: Sequence[str | os.PathLike[str]], output: str | os.PathLike[str]) -> MergeReport:
    """Write the window tables of ``sources`` as one dataset in ``output`` (a new folder, or one
    without a feature table), each render id prefixed with its source's folder name."""
    import pandas as pd

    folders = [Path(source) for source in sources]
    out = Path(output)
    if len(folders) < 2:
        raise DatasetError(f"merging needs at least two datasets, got {len(folders)}; name each folder")
    if any(out.resolve() == folder.resolve() for folder in folders):
        raise DatasetError(f"{out} is one of the datasets being merged; write the merge to a new folder")
    if (out / FEATURES_PARQUET).exists():
        raise DatasetError(f"{out / FEATURES_PARQUET} exists; merge into a new folder or remove it first")
    infos = [DatasetInfo.read(folder) for folder in folders]
    for field in SHARED_FIELDS:
        values = [getattr(info, field) for info in infos]
        if any(value != values[0] for value in values[1:]):
            shown = "; ".join(f"{folder}: {value}" for folder, value in zip(folders, values))
            raise DatasetError(
                f"the datasets differ in {field} ({shown}); re-extract their features alike "
                "(`mirloop dataset features`) or generate them with the same catalog"
            )
    prefixes = _prefixes(folders)
    tables, counts = [], []
    for folder, prefix in zip(folders, prefixes):
        table = read_table(folder)
        table["render_id"] = prefix + "/" + table["render_id"].astype(str)
        tables.append(table)
        counts.append((str(folder), prefix, int(table["render_id"].nunique()), len(table)))
    merged = pd.concat(tables, ignore_index=True)
    generation = {"merged_from": [{"folder": folder, "prefix": prefix, "renders": renders,
                                   "windows": windows, "generation": info.generation}
                                  for (folder, prefix, renders, windows), info in zip(counts, infos)]}
    out.mkdir(parents=True, exist_ok=True)
    evolve(infos[0], generation=generation).write(out)  # the shared fields, checked above
    with atomic_path(out / FEATURES_PARQUET) as temporary:  # last: a merge is done when its table is there
        merged.to_parquet(temporary, index=False)
    return MergeReport(out, tuple(counts))


def _prefixes(folders: Sequence[Path]) -> list[str]:
    """Each folder's name, numbered where two sources share one."""
    names = [folder.resolve().name for folder in folders]
    return [name if names.count(name) == 1 else f"{index}-{name}" for index, name in enumerate(names)]
