"""One line per render of a loop run: where its audio is, what it was rendered from, what was heard.

A single-region render reads ``OUT/track/renders/single-00.ogg  single-region
cinematic_percussion_driving 150 BPM A major → heard as cinematic_percussion_driving``; a
multi-region render lists its regions (``0–20.6 s descriptor tempo key | …``) and the descriptor
the classifier heard in each region. The regions come from the timeline the render was made
from (its JSON file in the report), so the line shows exactly what was rendered.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mirloop.errors import MirloopError

if TYPE_CHECKING:
    from mirloop.loop.report import LoopReport


def render_lines(report: LoopReport, out_dir: str | Path) -> list[str]:
    """A line per render of every track in ``report`` (written under ``out_dir``), in report order.

    A failed render's line carries its error; a render without audio (``--no-audio``) names its
    timeline instead.
    """
    out = Path(out_dir)
    heard = _heard_by_render(report.multi.to_dict("records") if len(report.multi) else [])
    lines = []
    for track in report.tracks:
        for render in track.get("renders", ()):
            lines.append(_render_line(track["name"], render, out, heard))
    return lines


def _render_line(
    track: str, render: dict[str, Any], out: Path, heard: dict[tuple[str, str], list[str]]
) -> str:
    where = out / (render.get("audio") or render["timeline"])
    kind = "single-region" if render["kind"] == "single" else "multi-region"
    if not render["ok"]:
        return f"{out / track / render['name']}  {kind}  failed: {render['error']}"
    regions = _regions(out / render["timeline"])
    if render["kind"] == "single":
        listened = [render.get("predicted_descriptor") or "?"]
    else:
        listened = heard.get((track, render["name"]), [])
    return f"{where}  {kind}  {' | '.join(regions)} → heard as {' | '.join(listened) or '?'}"


def _regions(timeline_path: Path) -> list[str]:
    """``start–end s descriptor tempo BPM key`` per region of a saved timeline (start and end only
    when there is more than one region)."""
    from mirloop.timeline import Timeline

    try:
        regions = Timeline.from_json(json.loads(timeline_path.read_text())).regions()
    except (OSError, ValueError, MirloopError) as exc:
        return [f"(timeline {timeline_path.name} unreadable: {exc})"]
    described = []
    for region in regions:
        span = f"{region.start:.1f}–{region.end:.1f} s " if len(regions) > 1 else ""
        described.append(f"{span}{region.descriptor.name} {region.tempo:g} BPM {region.key}")
    return described


def _heard_by_render(rows: Iterable[dict[Any, Any]]) -> dict[tuple[str, str], list[str]]:
    """The descriptor heard in each region of every multi-region render, in segment order."""
    heard: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for row in rows:
        heard.setdefault((str(row["track"]), str(row["render"])), []).append(
            (int(row["segment"]), str(row["descriptor"]))
        )
    return {key: [name for _, name in sorted(value)] for key, value in heard.items()}


__all__ = ["render_lines"]
