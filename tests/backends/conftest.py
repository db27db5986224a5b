"""Shared generated tracks for the analysis-backend tests (each built once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mirloop.signal import TrackContext
from mirloop.testing.signals import SplicedTrack, spliced_sections

REAL_DEV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real-dev"


@pytest.fixture(scope="session")
def aba() -> SplicedTrack:
    """A (C major + drums) / B (F# minor pad) / A again, 20 s each."""
    return spliced_sections("ABA", section_seconds=20.0)


@pytest.fixture(scope="session")
def aba_context(aba: SplicedTrack) -> TrackContext:
    return TrackContext(aba.audio)
