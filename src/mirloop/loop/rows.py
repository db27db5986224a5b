"""The rows of the loop's per-render tables, one function per table.

Each row is a plain dict, as the report's tables (:mod:`mirloop.loop.report`) are built from
them: ``single_predictions`` (:func:`single_rows`), ``multi_predictions`` (:func:`multi_rows`),
``boundaries`` (:func:`boundary_row`) and ``agreement`` (:func:`agreement_rows`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mirloop.loop.reduce import most_common
from mirloop.model.descriptor import TARGETS
from mirloop.model.prediction import UNKNOWN

if TYPE_CHECKING:
    from mirloop.catalog import Catalog
    from mirloop.model import Descriptor, Prediction


def combo(row: Mapping[str, Any]) -> str:
    """``genre_subgenre_mood`` of a row of labels (``unknown`` parts kept)."""
    return "_".join(str(row.get(t, UNKNOWN)) for t in ("genre", "subgenre", "mood"))


def single_rows(
    track: str, render: str, descriptor: Descriptor, prediction: Prediction
) -> list[dict[str, Any]]:
    """Per target: the label a single-region render of ``descriptor`` was made with and the one heard."""
    return [
        {
            "track": track,
            "render": render,
            "descriptor": descriptor.name,
            "target": target,
            "expected": descriptor.target(target),
            "predicted": prediction[target].track_label,
        }
        for target in TARGETS
    ]


def multi_rows(
    track: str, render: str, segments: Iterable[int], majorities: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Per input segment a multi-region render played: the labels heard in it (majority per target)."""
    return [
        {"track": track, "render": render, "segment": index, "descriptor": combo(labels), **labels}
        for index, labels in zip(segments, majorities)
    ]


def boundary_row(
    track: str, render: str, score: Mapping[str, Any], *, reference_segments: int, render_segments: int
) -> dict[str, Any]:
    """How well a multi-region render's estimated boundaries hit the input's (``score``)."""
    return {
        "track": track,
        "render": render,
        **score,
        "reference_segments": reference_segments,
        "render_segments": render_segments,
    }


def agreement_rows(
    track: str, multi: Sequence[Mapping[str, Any]], inputs: Sequence[Mapping[Any, Any]], catalog: Catalog
) -> list[dict[str, Any]]:
    """Per segment and target: the most frequent label over the multi-region renders vs the input's.

    ``multi`` are the track's :func:`multi_rows`, ``inputs`` its reduced segments (one row each).
    ``unknown`` on both sides does not count as agreement (it says nothing about the music).
    ``rendered`` is the value of the descriptor the segment was rendered with (the nearest valid
    one, so it can differ from the input's label): it tells where a disagreement arose.
    """
    by_segment: dict[int, list[Mapping[str, Any]]] = {}
    for row in multi:
        by_segment.setdefault(int(row["segment"]), []).append(row)
    by_index: dict[int, Mapping[Any, Any]] = {int(r["segment"]): r for r in inputs}
    rows: list[dict[str, Any]] = []
    for segment, heard in sorted(by_segment.items()):
        name = by_index[segment].get("descriptor")
        rendered = catalog[name] if isinstance(name, str) and name in catalog else None
        for target in TARGETS:
            if target not in by_index[segment]:
                continue
            majority = most_common([r[target] for r in heard])
            expected = by_index[segment][target]
            agree = float(majority == expected and expected != UNKNOWN)  # two "unknown"s are no agreement
            rows.append(
                {
                    "track": track,
                    "segment": segment,
                    "target": target,
                    "input": expected,
                    "descriptor": name,
                    "rendered": str(rendered.target(target)) if rendered is not None else UNKNOWN,
                    "renders": majority,
                    "agree": agree,
                    "n": len(heard),
                }
            )
    return rows


__all__ = ["agreement_rows", "boundary_row", "combo", "multi_rows", "single_rows"]
