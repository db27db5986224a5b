"""The HTML report: tables, each input's figure, and audio players for the input and its renders.

Self-contained next to its files: figures are PNG and audio is Ogg Vorbis in the track folders,
referenced by relative paths, so the folder can be copied or served as is.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from mirloop.io.atomic import atomic_open
from mirloop.loop.scores import WEAK_DESCRIPTOR

if TYPE_CHECKING:
    import pandas as pd

    from mirloop.loop.report import LoopReport
    from mirloop.loop.track import TrackLoop

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.9em}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th{background:#f3f3f3} td:first-child,th:first-child{text-align:left}
.flag{background:#fff3cd;border:1px solid #e0c36a;padding:.5em;margin:.5em 0}
.fail{color:#a00} audio{height:2em;vertical-align:middle} img{max-width:100%}
.renders td{text-align:left}
"""


def write_html(report: LoopReport, tracks: list[TrackLoop], out: Path) -> Path:
    """Write ``out/report.html`` (the figures and audio are already in the track folders)."""
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>mirloop loop report</title>"
        f"<style>{_STYLE}</style></head><body>",
        "<h1>mirloop feedback loop</h1>",
        f"<p>{len(tracks)} track(s), {report.seconds:.1f} s.</p>",
    ]
    heard = report.config.get("hearing") or {}
    if heard:
        said = "; ".join(f"{html.escape(k)}: <code>{html.escape(v)}</code>" for k, v in heard.items())
        parts.append(f"<p>{said}.</p>")
    for flag in report.flags:
        parts.append(f"<div class='flag'>⚠ {html.escape(flag)}</div>")
    parts += [
        "<h2>Single-region renders: accuracy</h2>",
        _table(report.accuracy),
        "<h2>Multi-region renders: consistency (mean over titles)</h2>",
        _table(report.consistency),
        "<h3>By title</h3>",
        _table(report.by_title),
        "<h3>Where consistency is lost</h3>",
        "<p>kept: the rendered descriptor carries the input's label (else lost in <i>reduce</i>); "
        "recognised: the renders are classified as the rendered label (else lost in <i>render</i>); "
        "heldout: what recognised would be on renders like the model's held-out training renders of the "
        "same descriptors; lost_where_weak: segments lost in render whose descriptor the model gets "
        f"right on fewer than {WEAK_DESCRIPTOR:.0%} of its held-out renders (the loss is the model's).</p>",
        _table(report.losses),
        "<h2>Spread of predicted descriptors</h2>",
        _table(report.spread),
        "<h2>Boundary fidelity (hit rate F at 3 s)</h2>",
        _table(
            report.boundaries.groupby("track")[["precision", "recall", "f"]].mean().reset_index()
            if len(report.boundaries)
            else report.boundaries
        ),
    ]
    if report.failed_renders:
        parts.append("<h2 class='fail'>Failed renders</h2><ul>")
        parts += [
            f"<li class='fail'>{html.escape(str(f['track']))} / {html.escape(str(f['name']))}: "
            f"{html.escape(str(f['error']))}</li>"
            for f in report.failed_renders
        ]
        parts.append("</ul>")
    for track in tracks:
        parts.append(_track_section(track))
    parts.append("</body></html>")
    path = out / "report.html"
    with atomic_open(path) as handle:
        handle.write("\n".join(parts))
    return path


def _track_section(track: TrackLoop) -> str:
    parts = [f"<h2 id='{html.escape(track.name)}'>{html.escape(track.name)}</h2>"]
    if not track.ok:
        return parts[0] + f"<p class='fail'>failed: {html.escape(str(track.error))}</p>"
    if track.skipped:
        parts.append(f"<p class='flag'>{html.escape(track.skipped)}</p>")
    if "figure" in track.media:
        parts.append(f"<img src='{_link(track.media['figure'])}' alt='{html.escape(track.name)}'>")
    if "input_audio" in track.media:
        parts.append(f"<p>input (as analysed): {_player(track.media['input_audio'])}</p>")
    if "error" in track.media:
        parts.append(f"<p class='fail'>figure failed: {html.escape(track.media['error'])}</p>")
    if track.segments is not None and len(track.segments):
        parts.append("<h3>Segments (majority per segment)</h3>" + _table(track.segments))
    if track.renders:
        parts.append(
            "<h3>Renders</h3><table class='renders'><tr><th>render</th><th>descriptor</th>"
            "<th>timeline</th><th>audio</th></tr>"
        )
        for render in track.renders:
            player = (
                _player(render["audio"])
                if render.get("audio")
                else (
                    f"<span class='fail'>{html.escape(str(render['error']))}</span>"
                    if not render["ok"]
                    else ""
                )
            )
            parts.append(
                f"<tr><td>{render['name']}</td><td>{html.escape(str(render.get('descriptor') or ''))}</td>"
                f"<td><a href='{_link(render['timeline'])}'>JSON</a></td><td>{player}</td></tr>"
            )
        parts.append("</table>")
    return "\n".join(parts)


def _player(src: str) -> str:
    return f"<audio controls preload='none' src='{_link(src)}'></audio>"


def _link(path: str) -> str:
    """A relative file path as an HTML attribute's URL: ``#``, ``?``, ``%`` and spaces in a track's
    name are escaped (a raw ``#`` made the rest of the path a fragment: no figure, no audio)."""
    return html.escape(quote(path))


def _table(table: pd.DataFrame) -> str:
    if table is None or len(table) == 0:
        return "<p><i>(none)</i></p>"
    return str(table.to_html(index=False, float_format=lambda v: f"{v:.3f}", na_rep="—", border=0))
