"""The loop's tables and JSON summary, and where they are written.

Under ``OUT/``: ``accuracy.csv`` (single-region accuracy per target), ``consistency.csv``
(multi-region consistency per target, mean over titles), ``consistency_by_title.csv``,
``losses.csv`` (where consistency is lost: reduce or render, and the commonest confusions),
``boundaries.csv`` (boundary hit-rate F per multi-region render), ``spread.csv`` (how varied the
predicted descriptors are), ``single_predictions.csv``, ``multi_predictions.csv``,
``agreement.csv``, ``report.json`` and ``report.html``; per track ``OUT/<name>/``:
``grid.parquet|csv``, ``segments.parquet|csv``, ``candidates.json``, ``timelines/*.json``
(Amper JSON) and ``renders/*.ogg``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import frozen

from mirloop.loop.rows import AgreementRow, BoundaryRow, SingleRow, row_table
from mirloop.loop.scores import (
    accuracy_table,
    bootstrap_ci,
    consistency_table,
    loss_table,
    spread,
    title_consistency,
)

if TYPE_CHECKING:
    import pandas as pd

    from mirloop.config import Config
    from mirloop.loop.settings import LoopSettings
    from mirloop.loop.track import TrackLoop


#: The tables written into the report folder, by name (``<name>.csv``).
TABLES = (
    "accuracy",
    "consistency",
    "consistency_by_title",
    "losses",
    "boundaries",
    "spread",
    "single_predictions",
    "multi_predictions",
    "agreement",
)
#: Every file :func:`write_report` writes into the report folder (no track folder takes these names).
REPORT_FILES = (*(f"{name}.csv" for name in TABLES), "report.json", "report.html")


@frozen(eq=False)
class LoopReport:
    """Tables (pandas DataFrames) and a summary of one loop run; ``seconds`` is wall time."""

    accuracy: pd.DataFrame
    consistency: pd.DataFrame
    by_title: pd.DataFrame
    boundaries: pd.DataFrame
    spread: pd.DataFrame
    single: pd.DataFrame
    multi: pd.DataFrame
    agreement: pd.DataFrame
    tracks: tuple[dict[str, Any], ...]
    failed_renders: tuple[dict[str, Any], ...]
    config: dict[str, Any]
    seconds: float
    losses: pd.DataFrame
    flags: tuple[str, ...] = ()

    def failed_tracks(self) -> list[dict[str, Any]]:
        """The tracks that failed: name, source and error."""
        failed = [t for t in self.tracks if not t["ok"]]
        return [{"track": t["name"], "source": t["source"], "error": t["error"]} for t in failed]

    @property
    def n_failed(self) -> int:
        """Failed tracks and failed renders: the run exits with status 1 when this is not 0."""
        return len(self.failed_tracks()) + len(self.failed_renders)

    def to_dict(self) -> dict[str, Any]:
        return _clean(
            {
                "accuracy": self.accuracy.to_dict("records"),
                "consistency": self.consistency.to_dict("records"),
                "consistency_by_title": self.by_title.to_dict("records"),
                "losses": self.losses.to_dict("records"),
                "boundary_f": _boundary_summary(self.boundaries),
                "spread": self.spread.to_dict("records"),
                "failed_tracks": self.failed_tracks(),
                "failed_renders": list(self.failed_renders),
                "tracks": list(self.tracks),
                "flags": list(self.flags),
                "config": self.config,
                "seconds": round(self.seconds, 3),
            }
        )


def build_report(
    tracks: list[TrackLoop],
    *,
    settings: LoopSettings,
    config: Config,
    seconds: float,
    heldout: dict[str, dict[str, float]] | None = None,
    notes: Sequence[str] = (),
) -> LoopReport:
    """Score every track's records into the report tables. ``heldout`` is the held-out render
    accuracy per target and descriptor of the model that hears the renders (saved with the model,
    see :func:`mirloop.classify.evaluation.read_descriptor_scores`): with it, every prediction row
    gets a ``heldout`` column and the accuracy and loss tables compare the loop with it. ``notes``
    are warnings about the run's set-up, listed first among the report's flags."""
    import pandas as pd

    from mirloop.loop.configuration import hearing

    single = row_table([r for t in tracks for r in t.single], SingleRow)
    multi = row_table([r for t in tracks for r in t.multi])  # a column per target heard
    agreement = row_table([r for t in tracks for r in t.agreement], AgreementRow)
    if heldout is not None:
        for table in (single, agreement):
            table["heldout"] = [
                heldout.get(target, {}).get(str(descriptor), math.nan)
                for target, descriptor in zip(table["target"], table["descriptor"])
            ]
    boundaries = row_table([r for t in tracks for r in t.boundaries], BoundaryRow)
    by_title = title_consistency(agreement)
    spreads: dict[str, list[str]] = {
        "input segments": [d for t in tracks for d in t.input_descriptors],
        "single-region renders": [
            str(r["predicted_descriptor"]) for t in tracks for r in t.renders if r.get("predicted_descriptor")
        ],
        "multi-region render segments": [str(d) for d in multi["descriptor"]] if len(multi) else [],
    }
    spread_table = pd.DataFrame([{"predictions": name, **spread(labels)} for name, labels in spreads.items()])
    flags = tuple(notes) + tuple(
        f"one descriptor dominates the {row['predictions']}: {row['top']} "
        f"({row['top_share']:.0%} of {row['count']})"
        for row in spread_table.to_dict("records")
        if row["dominated"]
    )
    failed = tuple({"track": t.name, **r} for t in tracks for r in t.renders if not r["ok"])
    return LoopReport(
        accuracy=accuracy_table(single),
        consistency=consistency_table(by_title, agreement),
        by_title=by_title,
        boundaries=boundaries,
        spread=spread_table,
        single=single,
        multi=multi,
        agreement=agreement,
        tracks=tuple(t.summary() for t in tracks),
        failed_renders=failed,
        config={
            "stages": config.to_dict(),
            "settings": _settings(settings),
            "hearing": hearing(config, settings.listener),
        },
        seconds=seconds,
        flags=flags,
        losses=loss_table(agreement),
    )


def seed_summary(reports: dict[int, LoopReport]) -> pd.DataFrame:
    """Per target, the single-region accuracy and multi-region consistency of every seed's run
    (``accuracy_<seed>``, ``consistency_<seed>``), their means, and the lowest and highest seed:
    the loop over several seeds of the renders (the input analysis is the same for all)."""
    import pandas as pd

    rows = []
    targets = [str(t) for t in next(iter(reports.values())).accuracy["target"]] if reports else []
    for target in targets:
        row: dict[str, Any] = {"target": target}
        for kind in ("accuracy", "consistency"):
            values = []
            for seed, report in reports.items():
                frame = getattr(report, kind)
                value = float(frame.loc[frame["target"] == target, kind].iloc[0])
                row[f"{kind}_{seed}"] = value
                values.append(value)
            finite = [v for v in values if math.isfinite(v)]
            row[kind] = sum(finite) / len(finite) if finite else math.nan
            row[f"{kind}_min"] = min(finite) if finite else math.nan
            row[f"{kind}_max"] = max(finite) if finite else math.nan
        rows.append(row)
    return pd.DataFrame(rows)


def write_report(
    report: LoopReport, tracks: list[TrackLoop], out: Path, *, settings: LoopSettings
) -> dict[str, Path]:
    """Write the tables, ``report.json`` and (unless switched off) ``report.html`` into ``out``."""
    from mirloop.io.atomic import atomic_open
    from mirloop.io.tables import write_csv

    paths: dict[str, Path] = {}
    tables = (
        report.accuracy,
        report.consistency,
        report.by_title,
        report.losses,
        report.boundaries,
        report.spread,
        report.single,
        report.multi,
        report.agreement,
    )
    for name, table in zip(TABLES, tables, strict=True):
        paths[name] = write_csv(table, out / f"{name}.csv")
    with atomic_open(out / "report.json") as handle:
        json.dump(report.to_dict(), handle, indent=2)
    paths["json"] = out / "report.json"
    if settings.html:
        from mirloop.loop.html import write_html

        paths["html"] = write_html(report, tracks, out)
    return paths


def _boundary_summary(boundaries: pd.DataFrame) -> dict[str, Any]:
    if len(boundaries) == 0:
        return {"renders": 0, "mean_f": None, "ci": [None, None], "by_title": {}}
    by_title = boundaries.groupby("track")["f"].mean()
    low, high = bootstrap_ci(list(by_title))
    return {
        "renders": len(boundaries),
        "mean_f": float(by_title.mean()),
        "ci": [low, high],
        "by_title": {k: float(v) for k, v in by_title.items()},
    }


def _settings(settings: LoopSettings) -> dict[str, Any]:
    import attrs

    return attrs.asdict(settings)


def _clean(value: Any) -> Any:
    """JSON-safe: NaN → None, numpy scalars → Python."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
