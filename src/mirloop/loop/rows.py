"""The rows of the loop's per-render tables: one small frozen type per table.

A track's run (:mod:`mirloop.loop.track`) collects them; the report (:mod:`mirloop.loop.report`)
turns each list into a table with :meth:`to_dict` and takes its columns from :meth:`columns`, so
a table's columns are declared once, here: ``single_predictions`` (:class:`SingleRow`),
``multi_predictions`` (:class:`MultiRow`), ``boundaries`` (:class:`BoundaryRow`) and
``agreement`` (:class:`AgreementRow`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
from attrs import frozen

from mirloop.loop.reduce import most_common
from mirloop.types.descriptor import TARGETS
from mirloop.types.prediction import UNKNOWN

if TYPE_CHECKING:
    import pandas as pd

    from mirloop.catalog import Catalog
    from mirloop.types import Descriptor, Prediction


class Row:
    """A table row: its fields are the table's columns, in order."""

    def to_dict(self) -> dict[str, Any]:
        """The row as the CSV and JSON writers take it, one key per column."""
        return attrs.asdict(self, recurse=False)  # type: ignore[arg-type]

    @classmethod
    def columns(cls) -> list[str]:
        """The table's columns (those of an empty table, too)."""
        return [field.name for field in attrs.fields(cls)]  # type: ignore[arg-type]


@frozen
class SingleRow(Row):
    """One target of a single-region render: the label it was made with and the one heard."""

    track: str
    render: str
    descriptor: str
    target: str
    expected: str
    predicted: str


@frozen
class MultiRow(Row):
    """One input segment as a multi-region render played it: the labels heard (majority per target)."""

    track: str
    render: str
    segment: int
    descriptor: str
    #: Target -> label, each its own column after ``descriptor``.
    labels: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"track": self.track, "render": self.render, "segment": self.segment,
                "descriptor": self.descriptor, **self.labels}


@frozen
class BoundaryRow(Row):
    """How well a multi-region render's estimated boundaries hit the input's (hit rate, trimmed)."""

    track: str
    render: str
    precision: float
    recall: float
    f: float
    reference_segments: int
    render_segments: int


@frozen
class AgreementRow(Row):
    """One segment and target: the most frequent label over the multi-region renders vs the input's."""

    track: str
    segment: int
    target: str
    input: Any
    descriptor: Any
    rendered: str
    renders: Any
    agree: float
    n: int


def row_table(rows: Sequence[Row], kind: type[Row] | None = None) -> pd.DataFrame:
    """``rows`` as a table; with ``kind``, its columns are ``kind``'s (an empty table has them too)."""
    import pandas as pd

    return pd.DataFrame([row.to_dict() for row in rows], columns=None if kind is None else kind.columns())


def combo(row: Mapping[str, Any]) -> str:
    """``genre_subgenre_mood`` of a row of labels (``unknown`` parts kept)."""
    return "_".join(str(row.get(t, UNKNOWN)) for t in ("genre", "subgenre", "mood"))


def single_rows(track: str, render: str, descriptor: Descriptor, prediction: Prediction) -> list[SingleRow]:
    """Per target: the label a single-region render of ``descriptor`` was made with and the one heard."""
    return [
        SingleRow(
            track, render, descriptor.name, target, descriptor.target(target), prediction[target].track_label
        )
        for target in TARGETS
    ]


def multi_rows(
    track: str, render: str, segments: Iterable[int], majorities: Iterable[Mapping[str, Any]]
) -> list[MultiRow]:
    """Per input segment a multi-region render played: the labels heard in it (majority per target)."""
    return [
        MultiRow(track, render, index, combo(labels), dict(labels))
        for index, labels in zip(segments, majorities)
    ]


def agreement_rows(
    track: str, multi: Sequence[MultiRow], inputs: Sequence[Mapping[Any, Any]], catalog: Catalog
) -> list[AgreementRow]:
    """Per segment and target: the most frequent label over the multi-region renders vs the input's.

    ``multi`` are the track's :func:`multi_rows`, ``inputs`` its reduced segments (one row each).
    ``unknown`` on both sides does not count as agreement (it says nothing about the music).
    ``rendered`` is the value of the descriptor the segment was rendered with (the nearest valid
    one, so it can differ from the input's label): it tells where a disagreement arose.
    """
    by_segment: dict[int, list[MultiRow]] = {}
    for row in multi:
        by_segment.setdefault(int(row.segment), []).append(row)
    by_index: dict[int, Mapping[Any, Any]] = {int(r["segment"]): r for r in inputs}
    rows: list[AgreementRow] = []
    for segment, heard in sorted(by_segment.items()):
        name = by_index[segment].get("descriptor")
        rendered = catalog[name] if isinstance(name, str) and name in catalog else None
        for target in TARGETS:
            if target not in by_index[segment]:
                continue
            majority = most_common([r.labels[target] for r in heard])
            expected = by_index[segment][target]
            agree = float(majority == expected and expected != UNKNOWN)  # two "unknown"s are no agreement
            rows.append(
                AgreementRow(
                    track=track,
                    segment=segment,
                    target=target,
                    input=expected,
                    descriptor=name,
                    rendered=str(rendered.target(target)) if rendered is not None else UNKNOWN,
                    renders=majority,
                    agree=agree,
                    n=len(heard),
                )
            )
    return rows


__all__ = [
    "AgreementRow",
    "BoundaryRow",
    "MultiRow",
    "Row",
    "SingleRow",
    "agreement_rows",
    "combo",
    "multi_rows",
    "row_table",
    "single_rows",
]
