"""A render's ground truth as JSON (``truth.json`` of a served render), and back."""

from __future__ import annotations

from typing import Any

from mirloop.errors import RenderError
from mirloop.renderer.result import GroundTruth, RegionTruth
from mirloop.types import Key


def truth_to_dict(truth: GroundTruth) -> dict[str, Any]:
    """``{"duration", "beats": [s...], "regions": [{index, start, end, descriptor, band, tempo,
    key: {tonic, mode} | None, meter: [n, d], scale, instruments}]}``."""
    return {
        "duration": float(truth.duration),
        "beats": [round(float(b), 6) for b in truth.beats],
        "regions": [
            {
                "index": r.index, "start": r.start, "end": r.end, "descriptor": r.descriptor, "band": r.band,
                "tempo": r.tempo,
                "key": None if r.key is None else {"tonic": r.key.tonic, "mode": r.key.mode},
                "meter": list(r.meter), "scale": r.scale, "instruments": list(r.instruments),
            }
            for r in truth.regions
        ],
    }


def truth_from_dict(data: Any) -> GroundTruth:
    """The :class:`GroundTruth` written by :func:`truth_to_dict`; :class:`RenderError` if malformed."""
    try:
        regions = tuple(
            RegionTruth(
                index=int(r["index"]), start=float(r["start"]), end=float(r["end"]),
                descriptor=str(r["descriptor"]), band=str(r["band"]), tempo=float(r["tempo"]),
                key=None if r["key"] is None else Key(str(r["key"]["tonic"]), str(r["key"]["mode"])),
                meter=(int(r["meter"][0]), int(r["meter"][1])), scale=str(r["scale"]),
                instruments=tuple(str(i) for i in r["instruments"]),
            )
            for r in data["regions"]
        )
        return GroundTruth([float(b) for b in data["beats"]], regions, float(data["duration"]))
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise RenderError(f"the render's truth.json is malformed ({type(exc).__name__}: {exc})") from None
