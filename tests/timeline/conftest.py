"""Timelines used across the timeline tests."""

from __future__ import annotations

import copy
from typing import Any

import pytest

#: The timeline printed in the seed paper (a documentary_idiophonic_idle render of 344 s).
PAPER_TIMELINE: dict[str, Any] = {
    "timeline": {
        "spans": [
            {
                "actions": [
                    {
                        "time": 0,
                        "add_region": {
                            "key": {"tonic": "C"},
                            "id": 222,
                            "cut_at": 48,
                            "descriptor": "documentary_idiophonic_idle",
                        },
                    }
                ],
                "time": 0,
                "tempo": 100.0,
                "id": 111,
                "type": "metered",
                "instrument_groups": [{"instrument_group": "grand_piano"}],
            },
            {"time": 344, "type": "unmetered"},
        ]
    }
}


def two_regions() -> dict[str, Any]:
    """Two metered spans (rock then electronica) and the end span, as a bare timeline object."""
    return {
        "random_seed": 7,
        "spans": [
            {"time": 0, "type": "metered", "tempo": 132, "id": 1, "instrument_groups": ["two_guitars"],
             "actions": [{"time": 0, "add_region": {"id": 10, "descriptor": "rock_indie_driving",
                                                    "key": {"tonic": "e", "quality": "minor"}}}]},
            {"time": 5.0, "type": "metered", "tempo": 124, "id": 2, "instrument_groups": ["deep_house"],
             "actions": [{"time": 0, "add_region": {"id": 11, "descriptor": "electronica_house_driving",
                                                    "ringout_at": 8}}]},
            {"time": 20.0, "type": "unmetered"},
        ],
    }


@pytest.fixture
def paper() -> dict[str, Any]:
    return copy.deepcopy(PAPER_TIMELINE)


@pytest.fixture
def stitched() -> dict[str, Any]:
    return two_regions()
