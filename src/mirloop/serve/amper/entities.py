"""The catalog as Amper entities: descriptors, bands and instruments."""

from __future__ import annotations

from typing import Any

from mirloop.catalog import Catalog

KINDS = ("descriptor", "band", "instrument")


def entities(catalog: Catalog, kind: str) -> list[dict[str, Any]]:
    """Every entity of ``kind`` as ``{"type", "id", "attributes"}``, sorted by id."""
    if kind == "descriptor":
        return [
            {
                "type": "descriptor",
                "id": d.name,
                "attributes": {
                    "name": d.name, "genre": d.genre, "subgenre": d.subgenre, "mood": d.mood,
                    "sentiment": d.sentiment, "valence": d.valence, "momentum": d.momentum,
                    "tempo_range": list(d.style.tempo_range), "meter": list(d.style.meter),
                    "bands": [b.name for b in d.style.bands],
                },
            }
            for d in sorted(catalog, key=lambda d: d.name)
        ]
    bands: dict[str, Any] = {}
    for d in catalog:
        for band in d.style.bands:
            entry = bands.setdefault(band.name, {"band": band, "descriptors": set()})
            entry["descriptors"].add(d.name)
    if kind == "band":
        return [
            {
                "type": "band",
                "id": name,
                "attributes": {
                    "name": name,
                    "instruments": [i.name for i in entry["band"].instruments],
                    "descriptors": sorted(entry["descriptors"]),
                },
            }
            for name, entry in sorted(bands.items())
        ]
    instruments: dict[str, Any] = {}
    for name, entry in bands.items():
        for inst in entry["band"].instruments:
            found = instruments.setdefault(
                inst.name, {"instrument": inst, "bands": set()}
            )
            found["bands"].add(name)
    return [
        {
            "type": "instrument",
            "id": name,
            "attributes": {
                "name": name, "program": entry["instrument"].program, "drums": entry["instrument"].drums,
                "role": entry["instrument"].role, "bands": sorted(entry["bands"]),
            },
        }
        for name, entry in sorted(instruments.items())
    ]
